/* demo.h — seeds a fresh database with a demo requester's projects so
 * `make run` shows a working platform. */
#ifndef FC_DEMO_H
#define FC_DEMO_H

#include "store/store.h"

/* When the database has no projects: creates demo projects owned by the
 * user `owner_email` (must exist), funds and publishes them, and creates a
 * contributor demo account. Prints what it made to stdout. */
int fc_demo_seed(fc_store *s, const char *owner_email, fc_err *err);

#endif
