#include "pgdb.h"

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* URL with its database name replaced: scheme://authority/NAME?params */
static int with_dbname(const char *url, const char *name, char *out, size_t n)
{
	const char *auth = strstr(url, "://");
	const char *slash = auth ? strchr(auth + 3, '/') : NULL;
	if (!slash)
		return -1;
	const char *params = strchr(slash, '?');
	int len = snprintf(out, n, "%.*s/%s%s", (int)(slash - url), url, name, params ? params : "");
	return len > 0 && (size_t)len < n ? 0 : -1;
}

static int admin(const char *sql)
{
	const char *base = getenv("FC_TEST_DATABASE_URL");
	PGconn *c = PQconnectdb(base);
	int rc = 0;
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "pgdb: cannot connect to %s: %s", base, PQerrorMessage(c));
		rc = -1;
	} else {
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "pgdb: %s: %s", sql, PQresultErrorMessage(r));
			rc = -1;
		}
		PQclear(r);
	}
	PQfinish(c);
	return rc;
}

static int create(char *url, size_t n, const char *template)
{
	url[0] = 0;
	const char *base = getenv("FC_TEST_DATABASE_URL");
	if (!base || !*base)
		return 0;
	static _Atomic unsigned counter;
	char name[64], sql[256];
	snprintf(name, sizeof name, "fct_%d_%u", (int)getpid(), atomic_fetch_add(&counter, 1));
	if (template && *template)
		snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %.40s", name, template);
	else
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	if (with_dbname(base, name, url, n) || admin(sql)) {
		url[0] = 0;
		return -1;
	}
	return 0;
}

int pgdb_create(char *url, size_t n) { return create(url, n, getenv("FC_TEST_DATABASE_TEMPLATE")); }
int pgdb_create_empty(char *url, size_t n) { return create(url, n, NULL); }

void pgdb_drop(const char *url)
{
	if (!url || !*url)
		return;
	const char *slash = strrchr(url, '/');
	char name[64], sql[128];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(slash + 1, "?"), slash + 1);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	admin(sql);
}

int pgdb_terminate_sessions(const char *url)
{
	PGconn *c = PQconnectdb(url);
	int n = -1;
	if (PQstatus(c) == CONNECTION_OK) {
		PGresult *r = PQexec(c, "SELECT COUNT(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
					"WHERE datname=current_database() AND pid<>pg_backend_pid()");
		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			n = atoi(PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	PQfinish(c);
	return n;
}
