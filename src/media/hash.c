/* Perceptual hash of photos (dHash) for near-duplicate detection. */
#include "media/media.h"

uint64_t fc_image_dhash(const uint8_t *g, int w, int h)
{
	if (w <= 0 || h <= 0)
		return 0;
	/* area average into a 9x8 grid; every source pixel lands in one cell */
	double cell[8][9] = {{0}};
	uint32_t count[8][9] = {{0}};
	for (int y = 0; y < h; y++) {
		int cy = (int)((int64_t)y * 8 / h);
		const uint8_t *row = g + (size_t)y * (size_t)w;
		for (int x = 0; x < w; x++) {
			int cx = (int)((int64_t)x * 9 / w);
			cell[cy][cx] += row[x];
			count[cy][cx]++;
		}
	}
	uint64_t bits = 0;
	int i = 0;
	for (int y = 0; y < 8; y++) {
		for (int x = 0; x < 8; x++, i++) {
			double a = count[y][x] ? cell[y][x] / count[y][x] : 0;
			double b = count[y][x + 1] ? cell[y][x + 1] / count[y][x + 1] : 0;
			if (a > b)
				bits |= (uint64_t)1 << i;
		}
	}
	return bits;
}

int fc_hamming64(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }
