/* funcs.h - what `mprof run --functions` finds in a program before it starts: whether it was
 * built with -finstrument-functions (libmprof_instrument then brackets its calls), whether it
 * has a symbol table, and, for uprobes, where each matching function lives (docs/c-programs.md).
 *
 * Library code (libelf): it never prints. Names are the symbol tables' own (C++ names mangled:
 * demangling is the instrumented program's, which has the C++ runtime).
 */
#ifndef MP_FUNCS_H
#define MP_FUNCS_H

#include "config.h"

typedef struct mp_program_info {
	int instrumented; /* calls __cyg_profile_func_enter */
	int has_symtab;   /* a .symtab: every function has its name (not stripped) */
} mp_program_info;

/* Inspects the ELF file at `path`. Returns 0, -ENOEXEC when it is not an ELF file (a script),
 * or -errno. */
int mp_program_inspect(const char *path, mp_program_info *info);

/* One function to bracket through uprobes. */
typedef struct mp_func_site {
	char *path;             /* the file it is in: the program or one of its libraries */
	unsigned long offset;   /* its entry, as an offset in that file */
	char *name;
} mp_func_site;

#define MP_FUNCS_MAX 256 /* functions bracketed through uprobes at most */

/* Finds the functions `f` keeps: each pattern in the program at `exe` (its .symtab, else its
 * .dynsym) and, only when it matches nothing there, in the libraries the program names
 * (DT_NEEDED, found through its RUNPATH, LD_LIBRARY_PATH and the system's directories).
 * Returns the count (sites in *out, to free with mp_funcs_free), -ENOENT when nothing
 * matches, -E2BIG past MP_FUNCS_MAX, or -errno. */
int mp_funcs_find(const char *exe, const mpi_filter *f, mp_func_site **out);
void mp_funcs_free(mp_func_site *sites, int n);

#endif
