/* png.h - a small, fast PNG encoder for plots (mostly flat colour).
 *
 * cairo's own PNG writer (libpng's adaptive filters at zlib's default level) takes about
 * 15 ms for a 1000x500 plot, most of `mprof plot`'s time. Plots are long runs of one colour,
 * which a greedy LZ77 over two distances (the pixel to the left, the row above) with deflate's
 * fixed Huffman codes compresses well in about a millisecond.
 */
#ifndef MP_PNG_H
#define MP_PNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes the `width` x `height` image whose rows start every `stride` bytes at `pixels`, each
 * pixel a native-endian 0x??RRGGBB word (cairo's RGB24), as an 8-bit RGB PNG to `out`. `dpi`
 * > 0 records the resolution. Returns 0, -ENOMEM, or -errno from writing. */
int mp_png_write(FILE *out, const unsigned char *pixels, int width, int height, size_t stride,
		 double dpi);

#endif
