/* funcs.c - a program's functions, read with libelf (funcs.h).
 *
 * Invariants: every file opened here is closed before returning; a function is listed once per
 * address (aliases share an entry: the first name in the table); an offset is the entry's
 * place in the file (what uprobes take), not its address.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "funcs.h"

struct elf_file {
	int fd;
	Elf *elf;
};

static int elf_open(struct elf_file *f, const char *path)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOTSUP;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF) {
		if (f->elf)
			elf_end(f->elf);
		close(f->fd);
		return -ENOEXEC;
	}
	return 0;
}

static void elf_close(struct elf_file *f)
{
	elf_end(f->elf);
	close(f->fd);
}

/* The section of `type` (SHT_SYMTAB, SHT_DYNSYM, SHT_DYNAMIC), or NULL. */
static Elf_Scn *find_section(Elf *elf, Elf64_Word type, GElf_Shdr *sh)
{
	for (Elf_Scn *s = elf_nextscn(elf, NULL); s; s = elf_nextscn(elf, s))
		if (gelf_getshdr(s, sh) && sh->sh_type == type)
			return s;
	return NULL;
}

/* Calls `each` for each symbol of the table of `type`; stops when it returns non-zero. */
static int each_symbol(Elf *elf, Elf64_Word type,
		       int (*each)(void *ctx, Elf *elf, const GElf_Sym *sym, const char *name),
		       void *ctx)
{
	GElf_Shdr sh;
	Elf_Scn *s = find_section(elf, type, &sh);
	Elf_Data *d = s ? elf_getdata(s, NULL) : NULL;
	if (!d || !sh.sh_entsize)
		return 0;
	size_t n = sh.sh_size / sh.sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(d, (int)i, &sym))
			continue;
		const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		int rc = each(ctx, elf, &sym, name);
		if (rc)
			return rc;
	}
	return 0;
}

static int is_hook(void *ctx, Elf *elf, const GElf_Sym *sym, const char *name)
{
	return strcmp(name, "__cyg_profile_func_enter") == 0;
}

int mp_program_inspect(const char *path, mp_program_info *info)
{
	struct elf_file f;
	int rc = elf_open(&f, path);
	if (rc < 0)
		return rc;
	GElf_Shdr sh;
	info->has_symtab = find_section(f.elf, SHT_SYMTAB, &sh) != NULL;
	info->instrumented = each_symbol(f.elf, SHT_DYNSYM, is_hook, NULL) ||
			     each_symbol(f.elf, SHT_SYMTAB, is_hook, NULL);
	elf_close(&f);
	return 0;
}

/* What a search collects. */
struct search {
	const mpi_filter *filter;
	const char *path;
	mp_func_site *sites;
	int n, cap, err;
	int file_first; /* sites[file_first..n) are this file's: aliases are looked for there */
};

static int is_function(const GElf_Sym *sym)
{
	int t = GELF_ST_TYPE(sym->st_info);
	return (t == STT_FUNC || t == STT_GNU_IFUNC) && sym->st_shndx != SHN_UNDEF &&
	       sym->st_shndx < SHN_LORESERVE && sym->st_value != 0;
}

static int add_site(void *ctx, Elf *elf, const GElf_Sym *sym, const char *name)
{
	struct search *s = ctx;
	/* gcc's clones (fact.constprop.0, parse.part.0) go by their function's name. */
	char base[256];
	size_t len = strcspn(name, ".");
	if (len == 0 || len >= sizeof base)
		return 0;
	memcpy(base, name, len);
	base[len] = 0;
	if (!is_function(sym) || !mpi_filter_keeps(s->filter, base, NULL))
		return 0;
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(elf, sym->st_shndx);
	if (!scn || !gelf_getshdr(scn, &sh) || sym->st_value < sh.sh_addr)
		return 0;
	unsigned long off = (unsigned long)(sym->st_value - sh.sh_addr + sh.sh_offset);
	for (int i = s->file_first; i < s->n; i++)
		if (s->sites[i].offset == off)
			return 0; /* an alias of one listed */
	if (s->n == MP_FUNCS_MAX) {
		s->err = -E2BIG;
		return 1;
	}
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		mp_func_site *p = realloc(s->sites, (size_t)cap * sizeof *p);
		if (!p)
			goto oom;
		s->sites = p;
		s->cap = cap;
	}
	mp_func_site *site = &s->sites[s->n];
	site->offset = off;
	site->path = strdup(s->path);
	site->name = strdup(base);
	s->n++;
	if (!site->path || !site->name)
		goto oom;
	return 0;
oom:
	s->err = -ENOMEM;
	return 1;
}

/* Adds the functions of one file that `filter` keeps. */
static int search_file(struct search *s, const char *path, const mpi_filter *filter)
{
	struct elf_file f;
	int rc = elf_open(&f, path);
	if (rc < 0)
		return rc;
	GElf_Shdr sh;
	s->filter = filter;
	s->path = path;
	s->file_first = s->n;
	each_symbol(f.elf, find_section(f.elf, SHT_SYMTAB, &sh) ? SHT_SYMTAB : SHT_DYNSYM,
		    add_site, s);
	elf_close(&f);
	return s->err;
}

/* Does anything in `path` match the one pattern `pat`? */
struct probe {
	const char *pat;
	int found;
};

static int matches_pattern(void *ctx, Elf *elf, const GElf_Sym *sym, const char *name)
{
	struct probe *p = ctx;
	char base[256];
	size_t len = strcspn(name, ".");
	if (len == 0 || len >= sizeof base)
		return 0;
	memcpy(base, name, len);
	base[len] = 0;
	if (is_function(sym) && fnmatch(p->pat, base, 0) == 0)
		p->found = 1;
	return p->found;
}

/* `dir`/`name` when it exists, in out. */
static int try_dir(const char *dir, const char *name, char *out, size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s/%s", dir, name) >= cap)
		return 0;
	return access(out, R_OK) == 0;
}

/* Finds the library `name` the way the dynamic loader would, near enough: the program's
 * RUNPATH/RPATH ($ORIGIN expanded), LD_LIBRARY_PATH, then the system's directories. */
static int find_library(const char *exe, const char *runpath, const char *name, char *out,
			size_t cap)
{
	char origin[PATH_MAX];
	snprintf(origin, sizeof origin, "%s", exe);
	char *slash = strrchr(origin, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(origin, ".");
	const char *lists[2] = {runpath, getenv("LD_LIBRARY_PATH")};
	for (int l = 0; l < 2; l++) {
		if (!lists[l])
			continue;
		char buf[PATH_MAX];
		snprintf(buf, sizeof buf, "%s", lists[l]);
		for (char *save, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			char dir[PATH_MAX];
			if (!strncmp(d, "$ORIGIN", 7))
				snprintf(dir, sizeof dir, "%s%s", origin, d + 7);
			else
				snprintf(dir, sizeof dir, "%s", d);
			if (try_dir(dir, name, out, cap))
				return 1;
		}
	}
	static const char *const system_dirs[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
		"/usr/local/lib",
	};
	for (size_t i = 0; i < sizeof system_dirs / sizeof *system_dirs; i++)
		if (try_dir(system_dirs[i], name, out, cap))
			return 1;
	return 0;
}

/* Searches the libraries `exe` names for what `lib_filter` keeps. */
static int search_libraries(struct search *s, const char *exe, const mpi_filter *lib_filter)
{
	struct elf_file f;
	int rc = elf_open(&f, exe);
	if (rc < 0)
		return rc;
	GElf_Shdr sh;
	Elf_Scn *dyn = find_section(f.elf, SHT_DYNAMIC, &sh);
	Elf_Data *d = dyn ? elf_getdata(dyn, NULL) : NULL;
	size_t n = d && sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	const char *runpath = NULL;
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn e;
		if (gelf_getdyn(d, (int)i, &e) && (e.d_tag == DT_RUNPATH || e.d_tag == DT_RPATH))
			runpath = elf_strptr(f.elf, sh.sh_link, e.d_un.d_val);
	}
	for (size_t i = 0; i < n && !s->err; i++) {
		GElf_Dyn e;
		if (!gelf_getdyn(d, (int)i, &e) || e.d_tag != DT_NEEDED)
			continue;
		const char *lib = elf_strptr(f.elf, sh.sh_link, e.d_un.d_val);
		char path[PATH_MAX];
		if (lib && find_library(exe, runpath, lib, path, sizeof path))
			search_file(s, path, lib_filter);
	}
	elf_close(&f);
	return s->err;
}

int mp_funcs_find(const char *exe, const mpi_filter *f, mp_func_site **out)
{
	struct search s = {0};
	*out = NULL;
	int rc = search_file(&s, exe, f);
	if (rc < 0)
		goto fail;
	/* The patterns that found nothing in the program are looked for in its libraries. */
	mpi_filter lib = *f;
	const char *missing[MP_FUNCS_MAX];
	int nmissing = 0;
	for (int i = 0; i < f->nincl && nmissing < MP_FUNCS_MAX; i++) {
		struct probe p = {f->include[i], 0};
		struct elf_file ef;
		if (elf_open(&ef, exe) == 0) {
			GElf_Shdr sh;
			each_symbol(ef.elf, find_section(ef.elf, SHT_SYMTAB, &sh) ? SHT_SYMTAB
										   : SHT_DYNSYM,
				    matches_pattern, &p);
			elf_close(&ef);
		}
		if (!p.found)
			missing[nmissing++] = f->include[i];
	}
	if (nmissing) {
		lib.include = (char **)missing;
		lib.nincl = nmissing;
		if ((rc = search_libraries(&s, exe, &lib)) < 0)
			goto fail;
	}
	if (s.n == 0) {
		rc = -ENOENT;
		goto fail;
	}
	*out = s.sites;
	return s.n;
fail:
	mp_funcs_free(s.sites, s.n);
	return rc;
}

void mp_funcs_free(mp_func_site *sites, int n)
{
	for (int i = 0; i < n; i++) {
		free(sites[i].path);
		free(sites[i].name);
	}
	free(sites);
}
