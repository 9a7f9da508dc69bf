/* copy.h — `faircrowd copy-db`: an SQLite installation into PostgreSQL. */
#ifndef FC_STORE_COPY_H
#define FC_STORE_COPY_H

#include "store/store.h"
#include <stdio.h>

/* Copies every table of from (SQLite) into to (PostgreSQL, holding no
 * users yet) in one transaction of to, keeping ids, and checks the row
 * counts; one line per table goes to report (may be NULL). Both stores
 * must be at the same schema version (opening them migrates both). */
int fc_store_copy(fc_store *from, fc_store *to, FILE *report, fc_err *err);

#endif
