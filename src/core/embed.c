#include "core/embed.h"

#include <string.h>

const fc_embedded *fc_embed_find(const fc_embedded *set, size_t n, const char *name)
{
	/* the generator sorts by name */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(set[mid].name, name);
		if (c == 0)
			return &set[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
