/* png.c - encode an RGB image as PNG: Sub filter, greedy LZ77, fixed Huffman codes.
 *
 * The deflate stream is one fixed-Huffman block (RFC 1951 3.2.6). Matches are looked for at
 * two distances only: 1 (a run of one byte, which is what the Sub filter makes of a flat
 * colour) and one row (a row like the one above). Everything else is a literal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "png.h"

typedef struct bits {
	unsigned char *out;
	size_t len;
	uint64_t acc;
	int n;
	uint16_t lit[288]; /* the fixed literal/length codes, bit-reversed */
	uint8_t lit_len[288];
} bits;

static inline void put(bits *b, uint32_t v, int n)
{
	b->acc |= (uint64_t)v << b->n;
	b->n += n;
	if (b->n >= 32) {
		unsigned char *o = b->out + b->len;
		o[0] = (unsigned char)b->acc;
		o[1] = (unsigned char)(b->acc >> 8);
		o[2] = (unsigned char)(b->acc >> 16);
		o[3] = (unsigned char)(b->acc >> 24);
		b->len += 4;
		b->acc >>= 32;
		b->n -= 32;
	}
}

static uint32_t reverse(uint32_t code, int n)
{
	uint32_t r = 0;
	for (int i = 0; i < n; i++)
		r |= ((code >> i) & 1) << (n - 1 - i);
	return r;
}

static void fixed_codes(bits *b)
{
	for (int v = 0; v < 288; v++) {
		uint32_t code;
		int n;
		if (v < 144)
			code = 0x30 + (uint32_t)v, n = 8;
		else if (v < 256)
			code = 0x190 + (uint32_t)(v - 144), n = 9;
		else if (v < 280)
			code = (uint32_t)(v - 256), n = 7;
		else
			code = 0xc0 + (uint32_t)(v - 280), n = 8;
		b->lit[v] = (uint16_t)reverse(code, n);
		b->lit_len[v] = (uint8_t)n;
	}
}

static inline void put_literal(bits *b, int v)
{
	put(b, b->lit[v], b->lit_len[v]);
}

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
				      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
				      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
				       33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
				       1025, 1537, 2049, 3073, 4097, 6145,  8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
				       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static void put_match(bits *b, size_t len, size_t dist)
{
	int i = 28;
	while (len_base[i] > len)
		i--;
	put_literal(b, 257 + i);
	put(b, (uint32_t)(len - len_base[i]), len_extra[i]);
	int d = 29;
	while (dist_base[d] > dist)
		d--;
	put(b, reverse((uint32_t)d, 5), 5); /* Huffman codes go most significant bit first */
	put(b, (uint32_t)(dist - dist_base[d]), dist_extra[d]);
}

static size_t match_len(const unsigned char *s, size_t i, size_t n, size_t dist)
{
	size_t max = n - i < 258 ? n - i : 258, k = 0;
	while (k < max && s[i + k] == s[i + k - dist])
		k++;
	return k;
}

/* zlib stream of `s` into `out` (room for n * 9 / 8 + 64 bytes); returns its length. */
static size_t deflate_fixed(const unsigned char *s, size_t n, size_t row, unsigned char *out)
{
	bits b = {.out = out};
	fixed_codes(&b);
	out[b.len++] = 0x78; /* deflate, 32K window */
	out[b.len++] = 0x01;
	put(&b, 1, 1); /* BFINAL */
	put(&b, 1, 2); /* BTYPE 01: fixed Huffman codes */
	for (size_t i = 0; i < n;) {
		size_t run = i >= 1 ? match_len(s, i, n, 1) : 0;
		size_t up = i >= row && row <= 32768 ? match_len(s, i, n, row) : 0;
		if (up >= 3 && up >= run) {
			put_match(&b, up, row);
			i += up;
		} else if (run >= 3) {
			put_match(&b, run, 1);
			i += run;
		} else {
			put_literal(&b, s[i++]);
		}
	}
	put_literal(&b, 256);
	while (b.n > 0) {
		b.out[b.len++] = (unsigned char)b.acc;
		b.acc >>= 8;
		b.n -= 8;
	}
	uint32_t a = 1, c = 0;
	for (size_t i = 0; i < n;) {
		size_t end = n - i > 5552 ? i + 5552 : n; /* no overflow before the modulo */
		for (; i < end; i++) {
			a += s[i];
			c += a;
		}
		a %= 65521;
		c %= 65521;
	}
	uint32_t adler = c << 16 | a;
	for (int k = 3; k >= 0; k--)
		out[b.len++] = (unsigned char)(adler >> (8 * k));
	return b.len;
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t crc_update(const uint32_t *table, uint32_t crc, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc;
}

static int chunk(FILE *out, const uint32_t *table, const char *type, const unsigned char *data,
		 size_t len)
{
	unsigned char hdr[8], tail[4];
	be32(hdr, (uint32_t)len);
	memcpy(hdr + 4, type, 4);
	uint32_t crc = crc_update(table, 0xffffffffu, hdr + 4, 4);
	crc = crc_update(table, crc, data, len) ^ 0xffffffffu;
	be32(tail, crc);
	if (fwrite(hdr, 1, 8, out) != 8 || (len && fwrite(data, 1, len, out) != len) ||
	    fwrite(tail, 1, 4, out) != 4)
		return -(errno ? errno : EIO);
	return 0;
}

int mp_png_write(FILE *out, const unsigned char *pixels, int width, int height, size_t stride,
		 double dpi)
{
	if (width <= 0 || height <= 0 || width > 100000 || height > 100000)
		return -EINVAL;
	size_t row = 1 + (size_t)width * 3, n = row * (size_t)height;
	unsigned char *raw = malloc(n), *z = malloc(n / 8 * 9 + 64);
	int rc = -ENOMEM;
	if (!raw || !z)
		goto out;
	/* Each row: filter type 1 (Sub), then each byte minus the same byte of the pixel to its
	 * left. A flat colour becomes a run of zeros. */
	for (int y = 0; y < height; y++) {
		const uint32_t *px = (const uint32_t *)(const void *)(pixels + (size_t)y * stride);
		unsigned char *r = raw + (size_t)y * row;
		unsigned pr = 0, pg = 0, pb = 0;
		*r++ = 1;
		for (int x = 0; x < width; x++) {
			unsigned cr = (px[x] >> 16) & 0xff, cg = (px[x] >> 8) & 0xff, cb = px[x] & 0xff;
			*r++ = (unsigned char)(cr - pr);
			*r++ = (unsigned char)(cg - pg);
			*r++ = (unsigned char)(cb - pb);
			pr = cr;
			pg = cg;
			pb = cb;
		}
	}
	size_t zlen = deflate_fixed(raw, n, row, z);

	uint32_t table[256];
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char ihdr[13];
	be32(ihdr, (uint32_t)width);
	be32(ihdr + 4, (uint32_t)height);
	ihdr[8] = 8;  /* bits per sample */
	ihdr[9] = 2;  /* RGB */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* adaptive filtering */
	ihdr[12] = 0; /* not interlaced */
	errno = 0;
	if (fwrite(sig, 1, 8, out) != 8) {
		rc = -(errno ? errno : EIO);
		goto out;
	}
	if ((rc = chunk(out, table, "IHDR", ihdr, sizeof ihdr)) < 0)
		goto out;
	if (dpi > 0) {
		unsigned char phys[9];
		uint32_t ppm = (uint32_t)(dpi / 0.0254 + 0.5);
		be32(phys, ppm);
		be32(phys + 4, ppm);
		phys[8] = 1; /* metres */
		if ((rc = chunk(out, table, "pHYs", phys, sizeof phys)) < 0)
			goto out;
	}
	if ((rc = chunk(out, table, "IDAT", z, zlen)) < 0)
		goto out;
	rc = chunk(out, table, "IEND", NULL, 0);
out:
	free(raw);
	free(z);
	return rc;
}
