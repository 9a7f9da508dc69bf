/* lsrle.h — Label Studio's brush-mask RLE (the packing its editor uses for
 * the RGBA bytes of a mask, 4 values a pixel): a 32-bit count of values,
 * the word size less one (5 bits), four run-length field sizes less one (4
 * bits each), then groups of one bit (1: one value repeated, 0: literal
 * values), two bits choosing a length field, the length less one, and the
 * value(s). Bits run from the high bit of each byte. */
#ifndef FC_CORE_LSRLE_H
#define FC_CORE_LSRLE_H

#include <stddef.h>
#include <stdint.h>

/* Walks b[0..n) without unpacking it. Returns NULL when it is whole, else
 * what is wrong ("it ends before all its values", …). *count gets the
 * header's count of values (0 when even the header is short). */
const char *fc_lsrle_check(const unsigned char *b, size_t n, uint64_t *count);

/* Unpacks b into mask[0..pixels): 1 where the pixel's alpha (every fourth
 * value) is not 0. Values past the mask are ignored, pixels past the
 * stream stay 0. Returns 0, or -1 when the stream is broken (mask holds
 * what came before the break). */
int fc_lsrle_alpha(const unsigned char *b, size_t n, uint8_t *mask, size_t pixels);

#endif
