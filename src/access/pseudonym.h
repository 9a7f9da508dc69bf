/* pseudonym.h — a contributor's pseudonym in one project: hex SHA-256 of the
 * project's secret salt and the user id. The same person has the same
 * pseudonym in every export, dataset version and agreement table of a
 * project, and unrelated ones across projects; nobody without the database
 * can tell who it is. Below the domain modules so that formats/ (exports)
 * and quality/ (agreement) share it. */
#ifndef FC_ACCESS_PSEUDONYM_H
#define FC_ACCESS_PSEUDONYM_H

#include "store/store.h"

#include <stdint.h>

/* The project's salt, made on first use (no access check: the caller has
 * made it). */
int fc_pseudonym_salt(fc_store *s, int64_t project_id, char salt[40], fc_err *err);

/* The hex pseudonym of user_id under salt (65 bytes with the NUL). */
void fc_pseudonym(const char *salt, int64_t user_id, char out[65]);

#endif
