/* pgdb.h — a fresh PostgreSQL database per test server (the PostgreSQL pass).
 *
 * scripts/run-tests starts a throwaway cluster and sets FC_TEST_DATABASE_URL
 * to its maintenance database; each server a test starts gets a database of
 * its own, so tests stay as independent as with a fresh --data folder. */
#ifndef FC_TEST_PGDB_H
#define FC_TEST_PGDB_H

#include <stddef.h>

/* Without FC_TEST_DATABASE_URL: returns 0 and leaves url empty (SQLite).
 * Else creates a new database and writes its URL into url; returns 0, or -1
 * with a message on stderr. The database is a copy of
 * FC_TEST_DATABASE_TEMPLATE when that is set (scripts/run-tests migrates
 * one once, which spares each test server its migrations), else empty. */
int pgdb_create(char *url, size_t n);
/* The same, always empty (tests of migrations). */
int pgdb_create_empty(char *url, size_t n);
/* Ends every other session on the database of url, as a server restart
 * would (waits until they are gone). Returns how many, or -1. */
int pgdb_terminate_sessions(const char *url);
/* Drops the database of url (best effort; every connection is closed). */
void pgdb_drop(const char *url);

#endif
