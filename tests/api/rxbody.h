/* rxbody.h — the request body of a libmicrohttpd server in a test (the
 * webhook receiver, the test ML backend): collected across the access
 * handler's calls, freed when the request completes. Header-only. */
#ifndef FC_TEST_RXBODY_H
#define FC_TEST_RXBODY_H

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

typedef struct upload {
	char *p; /* NUL-terminated; NULL while empty */
	size_t len;
} upload;

/* Call first in the access handler: 1 when the whole body is in *state
 * (an upload *) and the handler should answer; 0 after taking a chunk or
 * starting the request (return *ret, MHD_YES or MHD_NO, at once). */
static inline int rx_body(void **state, const char *data, size_t *size, enum MHD_Result *ret)
{
	upload *u = *state;
	*ret = MHD_YES;
	if (!u) {
		*state = calloc(1, sizeof *u);
		*ret = *state ? MHD_YES : MHD_NO;
		return 0;
	}
	if (!*size)
		return 1;
	char *p = realloc(u->p, u->len + *size + 1);
	if (!p) {
		*ret = MHD_NO;
		return 0;
	}
	memcpy(p + u->len, data, *size);
	u->p = p;
	u->len += *size;
	u->p[u->len] = 0;
	*size = 0;
	return 0;
}

/* MHD_OPTION_NOTIFY_COMPLETED: frees the body. */
static inline void rx_body_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
	upload *u = *state;
	if (u)
		free(u->p);
	free(u);
	*state = NULL;
}

#endif
