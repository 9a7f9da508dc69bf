/* The subcommands other than the quality ones (src/quality/cli.c). */
#include "cli.h"
#include "account/account.h"
#include "api/app.h"
#include "api/export_jobs.h"
#include "api/exports.h"
#include "core/clock.h"
#include "core/log.h"
#include "demo.h"
#include "events/events.h"
#include "events/jobs.h"
#include "events/outbox.h"
#include "http/outbound.h"
#include "ml/fetch.h"
#include "money/cli.h"
#include "money/money.h"
#include "privacy/privacy.h"
#include "store/copy.h"
#include "work/peaks.h"
#include "work/task.h"
#include "work/tsdata.h"
#include "work/uploads.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *data_dir_default(void)
{
	const char *d = getenv("FAIRCROWD_DATA");
	return d && *d ? d : "./data";
}

/* Removes the files named PREFIX* in dir: request bodies and blobs that were
 * being written when the previous server died (kill -9, power loss). Only
 * the server writes there, and it has not started yet, so none is in use. */
static void clear_stale(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (!d)
		return; /* not created yet: nothing left behind */
	size_t n = strlen(prefix);
	int removed = 0;
	for (struct dirent *e; (e = readdir(d));) {
		char path[1400];
		if (strncmp(e->d_name, prefix, n) ||
		    snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
			continue;
		if (unlink(path) == 0)
			removed++;
		else if (errno != ENOENT)
			fc_log(FC_LOG_WARN, "cannot remove the stale temporary file %s: %s", path, strerror(errno));
	}
	closedir(d);
	if (removed)
		fc_log(FC_LOG_INFO, "removed %d temporary files left in %s by an earlier run", removed, dir);
}

static int open_store(const char *dir, fc_store **s)
{
	fc_err err = {0};
	if (fc_store_open(s, dir, &err)) {
		fprintf(stderr, "faircrowd: %s\n", err.msg);
		fc_err_clear(&err);
		return 1;
	}
	return 0;
}

/* ---------------- serve ---------------- */

static void bootstrap_admin(fc_store *s)
{
	const char *email = getenv("FAIRCROWD_ADMIN_EMAIL");
	const char *pw = getenv("FAIRCROWD_ADMIN_PASSWORD");
	int64_t n = 0;
	if (!email || !pw || fc_account_count(s, &n, NULL) || n > 0)
		return;
	fc_err err = {0};
	fc_user u;
	if (fc_account_create(s, email, pw, "Admin", FC_ROLE_ADMIN | FC_ROLE_REQUESTER, &u, &err))
		fc_log(FC_LOG_ERROR, "bootstrap admin not created: %s", err.msg);
	else
		fc_log(FC_LOG_INFO, "created the first admin %s", email);
	fc_err_clear(&err);
}

static const char SERVE_HELP[] =
	"usage: faircrowd serve [--listen HOST:PORT] [--data DIR] [--threads N] [--test-clock]\n"
	"  --listen      address to listen on (default 127.0.0.1:8080, env FAIRCROWD_LISTEN);\n"
	"                port 0 picks a free port\n"
	"  --data        folder for the database and media (default ./data, env FAIRCROWD_DATA)\n"
	"  --database    postgres://user@host:port/dbname: PostgreSQL instead of SQLite in --data\n"
	"                (env FAIRCROWD_DATABASE); any number of servers may share it\n"
	"  --threads     HTTP worker threads (default 8)\n"
	"  --max-connections N          open connections of all clients (default 4096,\n"
	"                env FAIRCROWD_MAX_CONNECTIONS)\n"
	"  --per-address-connections N  connections one client address may hold (default 128;\n"
	"                with --trust-proxy: the proxy's address is not limited;\n"
	"                env FAIRCROWD_PER_ADDRESS_CONNECTIONS)\n"
	"  --idle-timeout S  close a connection silent for S seconds, headers included (default 30,\n"
	"                env FAIRCROWD_IDLE_TIMEOUT)\n"
	"  --trust-proxy ADDR[,ADDR...]  reverse proxies (nginx): their X-Forwarded-For is the\n"
	"                client's address and X-Forwarded-Proto: https makes session cookies Secure\n"
	"                (env FAIRCROWD_TRUSTED_PROXIES)\n"
	"  --secure-cookies  always mark session cookies Secure (TLS in front of every request)\n"
	"  --outbound default|public  addresses that webhooks, ML backends and requesters' S3\n"
	"                sources may reach: default refuses link-local (cloud metadata), public also\n"
	"                loopback and private networks (env FAIRCROWD_OUTBOUND)\n"
	"  --test-clock  enable POST /api/v1/admin/clock to move the server's time (tests only)\n"
	"  --demo        on an empty database, create demo projects owned by the first admin\n"
	"The first line on stdout is 'listening on http://HOST:PORT'. When the database has no\n"
	"users, FAIRCROWD_ADMIN_EMAIL and FAIRCROWD_ADMIN_PASSWORD create the first admin.\n"
	"With --database, media go to S3 (FAIRCROWD_S3_*); FAIRCROWD_ALLOW_LOCAL_MEDIA=1 keeps them in\n"
	"--data instead (one server only).\n"
	"GET /metrics answers admins and 'Authorization: Bearer $FAIRCROWD_METRICS_TOKEN'.\n";

/* Tests prove that a failing subscriber rolls the publisher's whole write
 * back: FAIRCROWD_TEST_FAIL_EVENT=KIND (honoured only with --test-clock)
 * adds a handler that fails after every real one has run. */
static int fail_on_purpose(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_err_set(err, FC_EIO, "injected_failure", NULL, "A test made the %s event's last subscriber fail.",
			  fc_event_name(ev->kind));
}

static int inject_event_failure(void)
{
	const char *name = getenv("FAIRCROWD_TEST_FAIL_EVENT");
	if (!name || !*name)
		return 0;
	int kind = fc_event_kind_named(name);
	if (kind < 0 || fc_events_on(kind, "test: injected failure", fail_on_purpose)) {
		fprintf(stderr, "faircrowd: FAIRCROWD_TEST_FAIL_EVENT: no event named '%s'\n", name);
		return -1;
	}
	return 0;
}

/* A byte count from the environment, or def when unset; -1 when invalid. */
static int64_t env_int64(const char *name, int64_t def)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	long long n = strtoll(v, &end, 10);
	return *end || n < 1 ? -1 : (int64_t)n;
}

/* A whole number from the environment, or def when unset (an invalid one
 * becomes 0, which serve's checks refuse). */
static unsigned env_uint(const char *name, unsigned def)
{
	int64_t n = env_int64(name, def);
	return n < 0 || n > 1000000 ? 0 : (unsigned)n;
}

int fc_cli_serve(int argc, char **argv)
{
	static fc_app app;
	const char *listen = getenv("FAIRCROWD_LISTEN");
	const char *dir = data_dir_default();
	int test_clock = 0;
	unsigned threads = 8, max_conns = env_uint("FAIRCROWD_MAX_CONNECTIONS", 4096),
		 per_address = env_uint("FAIRCROWD_PER_ADDRESS_CONNECTIONS", 0),
		 idle = env_uint("FAIRCROWD_IDLE_TIMEOUT", 30);
	const char *proxy = getenv("FAIRCROWD_TRUSTED_PROXIES");
	if (!proxy || !*proxy)
		proxy = getenv("FAIRCROWD_TRUST_PROXY"); /* the older name */
	int secure = 0;
	const char *outbound = getenv("FAIRCROWD_OUTBOUND");
	static const struct option opts[] = {{"listen", required_argument, 0, 'l'},
					     {"outbound", required_argument, 0, 'o'},
					     {"max-connections", required_argument, 0, 'M'},
					     {"per-address-connections", required_argument, 0, 'P'},
					     {"idle-timeout", required_argument, 0, 'I'},
					     {"trust-proxy", required_argument, 0, 'x'},
					     {"secure-cookies", no_argument, 0, 'S'},
					     {"data", required_argument, 0, 'd'},
					     {"threads", required_argument, 0, 't'},
					     {"test-clock", no_argument, 0, 'c'},
					     {"demo", no_argument, 0, 'D'},
					     {"help", no_argument, 0, 'h'},
					     {0}};
	int c, demo = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D': demo = 1; break;
		case 'l': listen = optarg; break;
		case 'd': dir = optarg; break;
		case 't': threads = (unsigned)atoi(optarg); break;
		case 'M': max_conns = (unsigned)atoi(optarg); break;
		case 'P': per_address = (unsigned)atoi(optarg); break;
		case 'I': idle = (unsigned)atoi(optarg); break;
		case 'x': proxy = optarg; break;
		case 'S': secure = 1; break;
		case 'o': outbound = optarg; break;
		case 'c': test_clock = 1; break;
		case 'h': fputs(SERVE_HELP, stdout); return 0;
		default: fputs(SERVE_HELP, stderr); return 2;
		}
	}
	if (optind < argc || threads < 1 || threads > 256 || max_conns < 1 || max_conns > 65536 ||
	    per_address > max_conns || idle < 1 || idle > 3600 || (proxy && strlen(proxy) >= sizeof app.trusted_proxy)) {
		fprintf(stderr, "faircrowd serve: unexpected argument (see --help)\n");
		return 2;
	}
	if (fc_outbound_set_policy_name(outbound)) {
		fprintf(stderr,
			"faircrowd serve: --outbound / FAIRCROWD_OUTBOUND is \"default\" or \"public\", not \"%s\"\n",
			outbound);
		return 2;
	}
	if (!listen || !*listen)
		listen = "127.0.0.1:8080";
	snprintf(app.data_dir, sizeof app.data_dir, "%s", dir);
	snprintf(app.trusted_proxy, sizeof app.trusted_proxy, "%s", proxy ? proxy : "");
	app.secure_cookies = secure;
	app.metrics_token = getenv("FAIRCROWD_METRICS_TOKEN");
	app.upload_quota = env_int64("FAIRCROWD_UPLOAD_QUOTA", FC_UPLOAD_QUOTA_DEFAULT);
	if (app.upload_quota < 1) {
		fprintf(stderr, "faircrowd serve: FAIRCROWD_UPLOAD_QUOTA must be a number of bytes\n");
		return 2;
	}
	/* behind a proxy every client shares its address: the proxy limits them */
	if (!per_address)
		per_address = app.trusted_proxy[0] ? max_conns : 128;
	app.test_clock = test_clock;
	app.started_at = fc_clock_now();
	if (open_store(dir, &app.store))
		return 1;
	/* Servers sharing a PostgreSQL database share its media only through
	 * S3: on local disk a recording would exist on one machine only. */
	const char *db_url = getenv("FAIRCROWD_DATABASE"), *allow = getenv("FAIRCROWD_ALLOW_LOCAL_MEDIA");
	if (db_url && *db_url && !getenv("FAIRCROWD_S3_ENDPOINT") && !(allow && !strcmp(allow, "1"))) {
		fprintf(stderr, "faircrowd serve: with a PostgreSQL database, media must be in S3-compatible storage "
				"(FAIRCROWD_S3_ENDPOINT, ...), so that every server sharing the database has them. For "
				"one server with media on its own disk, set FAIRCROWD_ALLOW_LOCAL_MEDIA=1.\n");
		fc_store_close(app.store);
		return 2;
	}
	fc_privacy_set_data_dir(dir); /* the erasure sink deletes from this blob store */
	fc_peaks_set_data_dir(dir);   /* the media_peaks sink reads from it */
	fc_upload_configure(dir, app.upload_quota);
	fc_tsdata_configure(dir);
	fc_ml_fetch_configure(dir);
	bootstrap_admin(app.store);
	if (test_clock && inject_event_failure())
		return 2;
	if (test_clock) /* a slow media job, for the tests of the media worker */
		fc_peaks_set_test_delay((int)env_uint("FAIRCROWD_TEST_MEDIA_DELAY_MS", 0));
	fc_account_watch_auth_changes(app.store); /* the version our (empty) token cache starts from */

	/* handle signals synchronously: block them before threads start */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* a file size limit (RLIMIT_FSIZE) must fail the write with EFBIG, which
	 * is answered 507 like a full disk, not kill the server */
	signal(SIGXFSZ, SIG_IGN);

	char spool[1100], blob_tmp[1100];
	snprintf(spool, sizeof spool, "%s/tmp", dir);
	snprintf(blob_tmp, sizeof blob_tmp, "%s/blobs/tmp", dir);
	mkdir(dir, 0700); /* with PostgreSQL nothing else made the data folder */
	mkdir(spool, 0700);
	clear_stale(spool, "upload-");
	clear_stale(blob_tmp, "blob-");
	{
		fc_err serr = {0};
		if (fc_upload_sweep(app.store, &serr))
			fc_log(FC_LOG_WARN, "resumable uploads not swept: %s", serr.msg);
		fc_err_clear(&serr);
	}
	fc_server_config cfg = {
		.listen = listen,
		.threads = threads,
		.max_connections = max_conns,
		.per_address = per_address,
		.idle_timeout = idle,
		.max_body = 1 * 1024 * 1024,
		.max_spool = (size_t)2 * 1024 * 1024 * 1024,
		.spool_dir = spool,
		.routes = fc_routes,
		.nroutes = fc_routes_count,
		.dispatch = fc_app_dispatch,
		.precheck = fc_app_precheck,
		.body_limit = fc_app_body_limit,
		.app = &app,
		.trusted_proxies = app.trusted_proxy[0] ? app.trusted_proxy : NULL,
	};
	fc_server *srv;
	fc_err err = {0};
	if (fc_server_start(&cfg, &srv, &err)) {
		fprintf(stderr, "faircrowd: %s\n", err.msg);
		fc_store_close(app.store);
		return 1;
	}
	if (fc_outbox_start(app.store))
		fc_log(FC_LOG_ERROR, "outbox: cannot start its thread; deliveries wait for the scheduled jobs");
	if (fc_export_jobs_start(app.store, app.data_dir))
		fc_log(FC_LOG_ERROR, "export jobs: cannot start their thread; queued exports wait");
	printf("listening on %s\n", fc_server_url(srv));
	fflush(stdout);
	if (demo) {
		const char *owner = getenv("FAIRCROWD_ADMIN_EMAIL");
		fc_err derr = {0};
		if (!owner || fc_demo_seed(app.store, owner, &derr))
			fc_log(FC_LOG_WARN, "no demo: %s", owner ? derr.msg : "FAIRCROWD_ADMIN_EMAIL is not set");
		fc_err_clear(&derr);
	}
	fflush(stdout);
	fc_log(FC_LOG_INFO, "serving %s with data in %s%s", fc_server_url(srv), dir,
	       test_clock ? " (test clock enabled)" : "");

	struct timespec tick = {0, 200 * 1000 * 1000};
	fc_log_buffered(1);
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &tick);
		fc_log_flush();
		if (sig == SIGINT || sig == SIGTERM)
			break;
		/* a role changed on another server must not live on in our token cache */
		fc_account_watch_auth_changes(app.store);
		/* jobs run in ticks of the (test) clock; with several servers on
		 * one database the one that claims a tick runs it */
		fc_jobs_report rep = {0};
		if (fc_jobs_tick(app.store, &rep, &err) < 0) {
			fc_log(FC_LOG_ERROR, "scheduled jobs: %s", err.msg);
			fc_err_clear(&err);
		}
	}
	fc_log(FC_LOG_INFO, "shutting down: finishing requests in flight");
	fc_server_stop(srv, 10000);
	fc_export_jobs_stop();
	fc_outbox_stop();
	fc_store_close(app.store);
	fc_log(FC_LOG_INFO, "stopped cleanly");
	fc_log_flush();
	return 0;
}

/* ---------------- migrate ---------------- */

int fc_cli_migrate(int argc, char **argv)
{
	const char *dir = data_dir_default();
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'h') {
			puts("usage: faircrowd migrate [--data DIR | --database URL]\n"
			     "Creates the database if needed and applies every pending migration.");
			return 0;
		} else
			return 2;
	}
	fc_store *s;
	if (open_store(dir, &s))
		return 1;
	printf("database at schema version %d (%d migration(s) applied now)\n", fc_store_schema_version(s),
	       fc_store_migrations_applied(s));
	fc_store_close(s);
	return 0;
}

/* ---------------- user ---------------- */

int fc_cli_user(int argc, char **argv)
{
	static const char help[] = "usage: faircrowd user add --email EMAIL --name NAME [--role ROLE]... [--data DIR]\n"
				   "The password is read from the environment variable FAIRCROWD_PASSWORD, or from\n"
				   "the first line of standard input. Roles: admin, requester, contributor (default).\n";
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "add")) {
		fprintf(stderr, "faircrowd user: unknown action '%s' (only 'add')\n", argv[1]);
		return 2;
	}
	const char *dir = data_dir_default(), *email = NULL, *name = NULL;
	json_t *roles = json_array();
	static const struct option opts[] = {{"email", required_argument, 0, 'e'}, {"name", required_argument, 0, 'n'},
					     {"role", required_argument, 0, 'r'},  {"data", required_argument, 0, 'd'},
					     {"help", no_argument, 0, 'h'},        {0}};
	int c, rc = 1;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e': email = optarg; break;
		case 'n': name = optarg; break;
		case 'r': json_array_append_new(roles, json_string(optarg)); break;
		case 'd': dir = optarg; break;
		case 'h':
			fputs(help, stdout);
			json_decref(roles);
			return 0;
		default: json_decref(roles); return 2;
		}
	}
	if (!email || !name) {
		fprintf(stderr, "faircrowd user add: --email and --name are required\n");
		json_decref(roles);
		return 2;
	}
	int bits = FC_ROLE_CONTRIBUTOR;
	fc_err err = {0};
	if (json_array_size(roles) && fc_roles_parse(roles, &bits, &err)) {
		fprintf(stderr, "faircrowd user add: %s\n", err.msg);
		json_decref(roles);
		return 2;
	}
	json_decref(roles);
	char pw[1100] = {0};
	const char *env = getenv("FAIRCROWD_PASSWORD");
	if (env) {
		snprintf(pw, sizeof pw, "%s", env);
	} else if (!fgets(pw, sizeof pw, stdin)) {
		fprintf(stderr, "faircrowd user add: no password on standard input\n");
		return 2;
	}
	pw[strcspn(pw, "\r\n")] = 0;
	fc_store *s;
	if (open_store(dir, &s))
		return 1;
	fc_user u;
	if (fc_account_create(s, email, pw, name, bits, &u, &err)) {
		fprintf(stderr, "faircrowd user add: %s\n", err.msg);
		rc = err.code == FC_EINVAL ? 2 : 1;
	} else {
		printf("created user %lld <%s>\n", (long long)u.id, u.email);
		rc = 0;
	}
	fc_err_clear(&err);
	fc_store_close(s);
	return rc;
}

/* ---------------- backup ---------------- */

int fc_cli_backup(int argc, char **argv)
{
	const char *dir = data_dir_default();
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'h') {
			puts("usage: faircrowd backup [--data DIR | --database URL] FILE\n"
			     "Copies the live database to FILE with SQLite's online backup, or for PostgreSQL\n"
			     "writes a pg_dump archive (custom format, for pg_restore); safe while serving.");
			return 0;
		} else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "faircrowd backup: give exactly one output FILE\n");
		return 2;
	}
	fc_store *s;
	if (open_store(dir, &s))
		return 1;
	fc_err err = {0};
	int rc = 0;
	if (fc_store_backup(s, argv[optind], &err)) {
		fprintf(stderr, "faircrowd backup: %s\n", err.msg);
		rc = 1;
	} else {
		printf("backed up to %s\n", argv[optind]);
	}
	fc_err_clear(&err);
	fc_store_close(s);
	return rc;
}

/* ---------------- import / export ---------------- */

/* The command line acts with an admin's rights on the local database. */
static const fc_user CLI_USER = {.id = 0, .roles = FC_ROLE_ADMIN, .email = "cli", .display_name = "command line"};

typedef struct progress {
	uint64_t total;
	int tty;
	uint64_t started;
} progress;

static void on_progress(void *ud, uint64_t bytes, int64_t tasks)
{
	progress *p = ud;
	if (!p->tty)
		return;
	double secs = (double)(fc_clock_mono_ns() - p->started) / 1e9;
	int pct = p->total ? (int)(bytes * 100 / p->total) : 0;
	int bar = pct / 4;
	fprintf(stderr, "\r[%.*s%*s] %3d%%  %lld tasks  %.0f/s ", bar, "#########################", 25 - bar, "", pct,
		(long long)tasks, secs > 0 ? (double)tasks / secs : 0);
	fflush(stderr);
}

int fc_cli_import(int argc, char **argv)
{
	static const char help[] =
		"usage: faircrowd import --project ID [--format json|ndjson|csv] [--data DIR] FILE\n"
		"Adds the tasks in FILE to the project in one transaction: a bad record stops the\n"
		"import, names its line, and stores nothing. The format comes from the file's\n"
		"extension (.json, .ndjson/.jsonl, .csv) unless --format is given. FILE may be '-'.\n";
	const char *dir = data_dir_default(), *fmt = NULL;
	long long project = 0;
	static const struct option opts[] = {{"project", required_argument, 0, 'p'},
					     {"format", required_argument, 0, 'f'},
					     {"data", required_argument, 0, 'd'},
					     {"help", no_argument, 0, 'h'},
					     {0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': project = atoll(optarg); break;
		case 'f': fmt = optarg; break;
		case 'd': dir = optarg; break;
		case 'h': fputs(help, stdout); return 0;
		default: fputs(help, stderr); return 2;
		}
	}
	if (project <= 0 || optind != argc - 1) {
		fprintf(stderr, "faircrowd import: give --project ID and one FILE (see --help)\n");
		return 2;
	}
	const char *file = argv[optind];
	int format = -1;
	if (fmt) {
		format = !strcmp(fmt, "json")     ? FC_IMPORT_JSON
			 : !strcmp(fmt, "ndjson") ? FC_IMPORT_NDJSON
			 : !strcmp(fmt, "csv")    ? FC_IMPORT_CSV
						  : -1;
	} else {
		format = fc_import_format_of_file(file);
	}
	if (format < 0) {
		fprintf(stderr, "faircrowd import: cannot tell the format of '%s'; use --format json|ndjson|csv\n", file);
		return 2;
	}
	FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "faircrowd import: cannot open '%s'\n", file);
		return 1;
	}
	struct stat st;
	progress p = {.tty = isatty(2), .started = fc_clock_mono_ns()};
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
		p.total = (uint64_t)st.st_size;
	static char iobuf[1 << 20];
	setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
	fc_store *s;
	if (open_store(dir, &s)) {
		if (f != stdin)
			fclose(f);
		return 1;
	}
	fc_err err = {0};
	int64_t created = 0;
	int rc = fc_task_import(s, &CLI_USER, project, f, format, &created, on_progress, &p, &err);
	if (p.tty)
		fputc('\n', stderr);
	if (rc)
		fprintf(stderr, "faircrowd import: %s\n", err.msg);
	else
		printf("imported %lld tasks into project %lld in %.2f s\n", (long long)created, project,
		       (double)(fc_clock_mono_ns() - p.started) / 1e9);
	fc_err_clear(&err);
	fc_store_close(s);
	if (f != stdin)
		fclose(f);
	return rc ? 1 : 0;
}

int fc_cli_export(int argc, char **argv)
{
	static const char help[] =
		"usage: faircrowd export --project ID [--format F] [--status accepted|all] [--data DIR] [--output FILE]\n"
		"Writes the project's data to FILE or standard output, streamed: memory use does not grow\n"
		"with the project. F is jsonl (the default: every task with all its submissions, one JSON\n"
		"object per line), json (Label Studio), csv, coco, yolo (zip), voc (zip), conll or cv (a\n"
		"Common Voice tar); docs/formats.md describes each. --status all keeps pending and\n"
		"rejected work too (default: accepted and auto-accepted only).\n";
	const char *dir = data_dir_default(), *outfile = NULL;
	fc_export_request req = {.format = "jsonl"};
	long long project = 0;
	static const struct option opts[] = {{"project", required_argument, 0, 'p'},
					     {"format", required_argument, 0, 'f'},
					     {"status", required_argument, 0, 's'},
					     {"data", required_argument, 0, 'd'},
					     {"output", required_argument, 0, 'o'},
					     {"help", no_argument, 0, 'h'},
					     {0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': project = atoll(optarg); break;
		case 'f': req.format = optarg; break;
		case 's': req.status = optarg; break;
		case 'd': dir = optarg; break;
		case 'o': outfile = optarg; break;
		case 'h': fputs(help, stdout); return 0;
		default: fputs(help, stderr); return 2;
		}
	}
	if (project <= 0 || optind != argc) {
		fprintf(stderr, "faircrowd export: give --project ID (see --help)\n");
		return 2;
	}
	fc_store *s;
	if (open_store(dir, &s))
		return 1;
	fc_err err = {0};
	fc_export_stream x;
	int rc = 1;
	FILE *out = NULL;
	if (fc_export_stream_open(s, dir, &CLI_USER, project, &req, &x, &err)) {
		fprintf(stderr, "faircrowd export: %s\n", err.msg);
		rc = err.code == FC_EINVAL ? 2 : 1;
		goto done;
	}
	out = outfile ? fopen(outfile, "wb") : stdout;
	if (!out) {
		fprintf(stderr, "faircrowd export: cannot create '%s'\n", outfile);
		x.close(x.ctx);
		goto done;
	}
	static char buf[1 << 16];
	ssize_t n;
	rc = 0;
	while ((n = x.read(x.ctx, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n) {
			rc = 1;
			break;
		}
	if (n < 0)
		rc = 1;
	x.close(x.ctx);
	if ((outfile && fclose(out)) || (!outfile && fflush(out)))
		rc = 1;
	if (rc)
		fprintf(stderr, "faircrowd export: writing failed\n");
done:
	fc_err_clear(&err);
	fc_store_close(s);
	return rc;
}

/* ---------------- copy-db ---------------- */

int fc_cli_copy_db(int argc, char **argv)
{
	static const char help[] =
		"usage: faircrowd copy-db --from DIR --to postgres://user@host:port/dbname\n"
		"Copies the SQLite database of the data folder DIR into an empty PostgreSQL database\n"
		"(its migrations are applied first), in one transaction, keeping every id; then checks\n"
		"the row counts of every table and runs the ledger check on the copy. Media files stay\n"
		"where they are (DIR/blobs, or S3). Exit 0 when the copy is complete and consistent.\n";
	const char *from = NULL, *to = NULL;
	static const struct option opts[] = {{"from", required_argument, 0, 'f'},
					     {"to", required_argument, 0, 't'},
					     {"help", no_argument, 0, 'h'},
					     {0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'h': fputs(help, stdout); return 0;
		default: fputs(help, stderr); return 2;
		}
	}
	if (!from || !to || optind != argc) {
		fprintf(stderr, "faircrowd copy-db: give --from DIR and --to postgres://… (see --help)\n");
		return 2;
	}
	char db[1100];
	snprintf(db, sizeof db, "%s/faircrowd.db", from);
	if (access(db, R_OK)) {
		fprintf(stderr, "faircrowd copy-db: no database at %s\n", db);
		return 1;
	}
	fc_err err = {0};
	fc_store *src = NULL, *dst = NULL;
	int64_t violations = 0;
	int rc = 1;
	if (fc_store_open_at(&src, from, NULL, &err) || fc_store_open_at(&dst, from, to, &err) ||
	    fc_store_copy(src, dst, stdout, &err)) {
		fprintf(stderr, "faircrowd copy-db: %s\n", err.msg);
		rc = err.code == FC_EINVAL && !dst ? 2 : 1;
	} else if (fc_money_ledger_check(dst, stdout, &violations, &err)) {
		fprintf(stderr, "faircrowd copy-db: the ledger check failed: %s\n", err.msg);
	} else if (violations) {
		fprintf(stderr, "faircrowd copy-db: the copied ledger has %lld violation(s)\n", (long long)violations);
	} else {
		printf("copied %s into PostgreSQL; counts match and the ledger checks out\n", from);
		rc = 0;
	}
	fc_err_clear(&err);
	fc_store_close(src);
	fc_store_close(dst);
	return rc;
}
