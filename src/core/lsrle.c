/* lsrle.c — Label Studio's brush-mask RLE; see lsrle.h. */
#include "core/lsrle.h"

#include <string.h>

struct bitin {
	const unsigned char *b;
	size_t nbits, pos;
};

static int bits(struct bitin *in, unsigned n, uint64_t *out)
{
	uint64_t x = 0;
	if (n > 64 || in->nbits - in->pos < n)
		return 0;
	for (unsigned i = 0; i < n; i++, in->pos++)
		x = x << 1 | ((in->b[in->pos >> 3] >> (7 - (in->pos & 7))) & 1u);
	*out = x;
	return 1;
}

struct header {
	uint64_t count, word, size[4];
};

static const char *header(struct bitin *in, struct header *h)
{
	h->count = 0;
	if (!bits(in, 32, &h->count) || !bits(in, 5, &h->word))
		return "it is shorter than its header";
	h->word++;
	for (int i = 0; i < 4; i++) {
		if (!bits(in, 4, &h->size[i]))
			return "it is shorter than its header";
		h->size[i]++;
	}
	return NULL;
}

/* Calls put(ctx, first, n, value) for each run and each literal value;
 * NULL when the stream is whole. */
typedef void put_fn(void *ctx, uint64_t first, uint64_t n, uint64_t value);

static const char *walk(const unsigned char *b, size_t n, uint64_t *count, put_fn *put, void *ctx)
{
	struct bitin in = {b, n * 8, 0};
	struct header h;
	const char *why = header(&in, &h);
	*count = h.count;
	if (why)
		return why;
	uint64_t x = 0, cls = 0, len = 0, v = 0;
	for (uint64_t i = 0; i < h.count; i += len) {
		if (!bits(&in, 1, &x) || !bits(&in, 2, &cls) || !bits(&in, (unsigned)h.size[cls], &len))
			return "it ends before all its values";
		len++;
		if (len > h.count - i)
			return "a run goes past the count in its header";
		if (in.nbits - in.pos < (x ? h.word : h.word * len))
			return "it ends before all its values";
		if (!put) {
			in.pos += x ? h.word : h.word * len;
		} else if (x) {
			bits(&in, (unsigned)h.word, &v);
			put(ctx, i, len, v);
		} else {
			for (uint64_t j = 0; j < len; j++) {
				bits(&in, (unsigned)h.word, &v);
				put(ctx, i + j, 1, v);
			}
		}
	}
	return NULL;
}

const char *fc_lsrle_check(const unsigned char *b, size_t n, uint64_t *count) { return walk(b, n, count, NULL, NULL); }

struct alpha {
	uint8_t *mask;
	size_t pixels;
};

/* Values first..first+n-1 are v: the alpha ones (index % 4 == 3) set pixels. */
static void put_alpha(void *ctx, uint64_t first, uint64_t n, uint64_t v)
{
	struct alpha *a = ctx;
	uint64_t j = first | 3;
	for (; j < first + n && (j >> 2) < a->pixels; j += 4)
		a->mask[j >> 2] = v != 0;
}

int fc_lsrle_alpha(const unsigned char *b, size_t n, uint8_t *mask, size_t pixels)
{
	struct alpha a = {mask, pixels};
	uint64_t count;
	memset(mask, 0, pixels);
	return walk(b, n, &count, put_alpha, &a) ? -1 : 0;
}
