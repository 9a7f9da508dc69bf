/* embed.h — files compiled into the binary by tools/embed.py. */
#ifndef FC_CORE_EMBED_H
#define FC_CORE_EMBED_H

#include <stddef.h>

typedef struct fc_embedded {
	const char *name;          /* path relative to its base folder */
	const unsigned char *data; /* NUL-terminated for convenience */
	size_t len;
	const unsigned char *gz; /* gzip of data */
	size_t gz_len;
	const char *type; /* Content-Type */
	const char *etag; /* quoted strong ETag */
} fc_embedded;

extern const fc_embedded fc_migrations[];
extern const size_t fc_migrations_count;
extern const fc_embedded fc_web_assets[];
extern const size_t fc_web_assets_count;

/* Finds an embedded file by name, or NULL. */
const fc_embedded *fc_embed_find(const fc_embedded *set, size_t n, const char *name);

#endif
