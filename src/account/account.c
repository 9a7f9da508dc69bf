#include "account/account.h"
#include "account/throttle.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void)
{
	if (crypto_pwhash_str(dummy, "not-a-password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		dummy[0] = 0;
}

/* ---- roles ---- */
static const struct {
	const char *name;
	int bit;
} ROLES[] = {{"admin", FC_ROLE_ADMIN}, {"requester", FC_ROLE_REQUESTER}, {"contributor", FC_ROLE_CONTRIBUTOR}};

int fc_roles_parse(const json_t *arr, int *roles, fc_err *err)
{
	if (!json_is_array(arr))
		return fc_err_set(err, FC_EINVAL, "invalid_type", "roles",
				  "Field 'roles' must be an array of role names.");
	int bits = 0;
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v) {
		const char *name = json_string_value(v);
		int found = 0;
		for (size_t k = 0; name && k < sizeof ROLES / sizeof ROLES[0]; k++)
			if (!strcmp(ROLES[k].name, name)) {
				bits |= ROLES[k].bit;
				found = 1;
			}
		if (!found)
			return fc_err_set(err, FC_EINVAL, "invalid_role", "roles",
					  "Unknown role %s%s%s; use admin, requester or contributor.", name ? "'" : "",
					  name ? name : "(not a string)", name ? "'" : "");
	}
	*roles = bits;
	return 0;
}

json_t *fc_roles_json(int roles)
{
	json_t *a = json_array();
	for (size_t k = 0; k < sizeof ROLES / sizeof ROLES[0]; k++)
		if (roles & ROLES[k].bit)
			json_array_append_new(a, json_string(ROLES[k].name));
	return a;
}

json_t *fc_account_user_json(const fc_user *u)
{
	return json_pack("{s:I,s:s,s:s,s:o,s:b}", "id", (json_int_t)u->id, "email", u->email, "display_name",
			 u->display_name, "roles", fc_roles_json(u->roles), "disabled", u->disabled);
}

/* ---- validation ---- */
static fc_account_audit_fn audit_fn;

void fc_account_set_audit(fc_account_audit_fn fn) { audit_fn = fn; }

static int audit(fc_db *db, int64_t actor, const char *action, const char *target, const json_t *details, fc_err *err)
{
	return audit_fn ? audit_fn(db, actor, action, target, details, err) : 0;
}

static int valid_email(const char *e)
{
	size_t n = strlen(e);
	const char *at = strchr(e, '@');
	if (n < 3 || n > 254 || !at || at == e || strchr(at + 1, '@'))
		return 0;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || !dot[1])
		return 0;
	for (const char *p = e; *p; p++)
		if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20)
			return 0;
	return 1;
}

static int load_user(fc_db *db, fc_stmt *st, fc_user *out)
{
	(void)db;
	out->id = fc_stmt_int(st, 0);
	snprintf(out->email, sizeof out->email, "%s", fc_stmt_text(st, 1));
	snprintf(out->display_name, sizeof out->display_name, "%s", fc_stmt_text(st, 2));
	out->roles = (int)fc_stmt_int(st, 3);
	out->disabled = fc_stmt_int(st, 4) != 0;
	return 0;
}

int fc_account_password_check(const char *password, const char *field, fc_err *err)
{
	size_t n = strlen(password);
	if (n < FC_PASSWORD_MIN)
		return fc_err_set(err, FC_EINVAL, "password_too_short", field,
				  "The password must have at least %d characters.", FC_PASSWORD_MIN);
	if (n > 1024)
		return fc_err_set(err, FC_EINVAL, "password_too_long", field,
				  "The password must have at most 1024 characters.");
	return 0;
}

int fc_account_create(fc_store *s, const char *email, const char *password, const char *name, int roles, fc_user *out,
		      fc_err *err)
{
	if (!valid_email(email))
		return fc_err_set(err, FC_EINVAL, "invalid_email", "email", "'%.100s' is not a valid email address.",
				  email);
	size_t plen = strlen(password);
	int rc = fc_account_password_check(password, "password", err);
	if (rc)
		return rc;
	size_t nlen = strlen(name);
	if (nlen == 0 || nlen > 100)
		return fc_err_set(err, FC_EINVAL, "invalid_display_name", "display_name",
				  "The display name must have 1 to 100 characters.");
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory while hashing the password.");
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	int64_t exists = 0;
	if (fc_db_int(db, &exists, NULL, "SELECT id FROM users WHERE email=?", "t", email) == 0) {
		rc = fc_err_set(err, FC_ECONFLICT, "email_taken", "email", "An account with this email already exists.");
		goto out;
	}
	int64_t now = fc_clock_now();
	rc = fc_db_int(db, &out->id, err,
		       "INSERT INTO users(email,password_hash,display_name,roles,created_at) "
		       "VALUES(?,?,?,?,?) RETURNING id",
		       "tttiI", email, hash, name, roles, now);
	if (rc)
		goto out;
	snprintf(out->email, sizeof out->email, "%s", email);
	snprintf(out->display_name, sizeof out->display_name, "%s", name);
	out->roles = roles;
	out->disabled = 0;
	char target[32];
	snprintf(target, sizeof target, "user:%lld", (long long)out->id);
	rc = audit(db, out->id, "user.create", target, NULL, err);
out:
	return fc_db_end(db, &rc, err);
}

/* The columns load_user reads, for a query over users u. */
#define USER_COLS "u.id,u.email,u.display_name,u.roles,u.disabled_at IS NOT NULL"

int fc_account_login(fc_store *s, const char *email, const char *password, const char *address, fc_user *out,
		     char token[44], char csrf[44], fc_err *err)
{
	char key[65];
	fc_throttle_account(email, key);
	int rc = fc_throttle_check(s, key, address, err);
	if (rc)
		return rc;
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_READ, &db, err)))
		return rc;
	fc_stmt *st;
	char hash[crypto_pwhash_STRBYTES] = {0};
	int found = 0;
	rc = fc_db_query(db, &st, err, "SELECT " USER_COLS ",u.password_hash FROM users u WHERE u.email=?", "t", email);
	if (!rc) {
		if (fc_stmt_next(st) == 1) {
			load_user(db, st, out);
			snprintf(hash, sizeof hash, "%s", fc_stmt_text(st, 5));
			found = 1;
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	if (rc)
		return rc;
	/* verify against a dummy hash for unknown emails so timing reveals nothing */
	pthread_once(&dummy_once, make_dummy);
	int ok = crypto_pwhash_str_verify(found ? hash : dummy, password, strlen(password)) == 0;
	if (!found || !ok) {
		if ((rc = fc_throttle_failed(s, key, address, err)))
			return rc;
		return fc_err_set(err, FC_EAUTH, "invalid_credentials", NULL, "The email or password is wrong.");
	}
	if (out->disabled) /* said only to someone who knows the password */
		return fc_err_set(err, FC_EPERM, "account_disabled", NULL,
				  "This account has been disabled; ask an administrator.");
	if ((rc = fc_throttle_succeeded(s, key, address, err)))
		return rc;
	char th[65];
	fc_crypto_token(token);
	fc_crypto_token(csrf);
	fc_crypto_hash_hex(token, th);
	int64_t now = fc_clock_now();
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	rc = fc_db_exec(db, err, "INSERT INTO sessions(token_hash,user_id,csrf,created_at,expires_at) VALUES(?,?,?,?,?)",
			"tItII", th, out->id, csrf, now, now + FC_SESSION_SECONDS);
	return fc_db_end(db, &rc, err);
}

int fc_account_session(fc_store *s, const char *token, fc_user *out, char csrf[44], fc_err *err)
{
	char th[65];
	fc_crypto_hash_hex(token, th);
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	/* a disabled account's sessions are deleted; the check covers a session
	 * read while the disabling commits */
	rc = fc_db_query(db, &st, err,
			 "SELECT " USER_COLS ",s.csrf FROM sessions s JOIN users u ON u.id=s.user_id "
			 "WHERE s.token_hash=? AND s.expires_at>? AND u.disabled_at IS NULL",
			 "tI", th, fc_clock_now());
	if (!rc) {
		if (fc_stmt_next(st) == 1) {
			load_user(db, st, out);
			snprintf(csrf, 44, "%s", fc_stmt_text(st, 5));
		} else {
			rc = fc_err_set(err, FC_EAUTH, "session_expired", NULL, "Your session has ended; sign in again.");
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

int fc_account_logout(fc_store *s, const char *token, fc_err *err)
{
	char th[65];
	fc_crypto_hash_hex(token, th);
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	rc = fc_db_exec(db, err, "DELETE FROM sessions WHERE token_hash=?", "t", th);
	return fc_db_end(db, &rc, err);
}

int fc_account_token_create(fc_store *s, int64_t user_id, const char *name, int64_t expires_at, int64_t *id,
			    char token[44], fc_err *err)
{
	size_t n = strlen(name);
	if (n == 0 || n > 100)
		return fc_err_set(err, FC_EINVAL, "invalid_name", "name",
				  "The token name must have 1 to 100 characters.");
	char th[65];
	fc_crypto_token(token);
	fc_crypto_hash_hex(token, th);
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	rc = fc_db_int(db, id, err,
		       "INSERT INTO api_tokens(user_id,name,token_hash,created_at,expires_at) VALUES(?,?,?,?,nullif(?,0)) "
		       "RETURNING id",
		       "IttII", user_id, name, th, fc_clock_now(), expires_at);
	return fc_db_end(db, &rc, err);
}

/* ---- token cache ----
 * Every API request authenticates; looking the token up is a read
 * transaction, about 8 % of a lease+submit cycle's CPU. Answers are kept
 * for TOKEN_TTL seconds in a small direct-mapped table. Anything that
 * changes what a token resolves to (roles, revoking a token, disabling an
 * account) must call token_cache_invalidate() and move auth_version in its
 * transaction, which is how the other servers on the database learn of it
 * (fc_account_watch_auth_changes); a token's expiry is kept with its answer
 * and checked on every hit, as the clock may jump (the test clock does). */
#define TOKEN_SLOTS 256
#define TOKEN_TTL_NS (30 * 1000000000ull)
static struct token_slot {
	const fc_store *store;
	char th[65];
	fc_user user;
	int64_t expires_at; /* 0: never */
	uint64_t gen, until;
} token_slots[TOKEN_SLOTS];
static uint64_t token_gen = 1;
static pthread_mutex_t token_mu = PTHREAD_MUTEX_INITIALIZER;

static void token_cache_invalidate(void)
{
	pthread_mutex_lock(&token_mu);
	token_gen++;
	pthread_mutex_unlock(&token_mu);
}

static struct token_slot *token_slot_of(const char *th)
{
	return &token_slots[strtoul((char[]){th[0], th[1], th[2], th[3], 0}, NULL, 16) % TOKEN_SLOTS];
}

static int token_cache_get(const fc_store *s, const char *th, fc_user *out)
{
	int hit = 0;
	uint64_t now = fc_clock_mono_ns();
	pthread_mutex_lock(&token_mu);
	struct token_slot *e = token_slot_of(th);
	if (e->store == s && e->gen == token_gen && now < e->until && !strcmp(e->th, th) &&
	    (!e->expires_at || fc_clock_now() < e->expires_at)) {
		*out = e->user;
		hit = 1;
	}
	pthread_mutex_unlock(&token_mu);
	return hit;
}

static void token_cache_put(const fc_store *s, const char *th, const fc_user *u, int64_t expires_at, uint64_t gen)
{
	pthread_mutex_lock(&token_mu);
	if (gen == token_gen) { /* nothing changed while we read */
		struct token_slot *e = token_slot_of(th);
		e->store = s;
		memcpy(e->th, th, sizeof e->th);
		e->user = *u;
		e->expires_at = expires_at;
		e->gen = gen;
		e->until = fc_clock_mono_ns() + TOKEN_TTL_NS;
	}
	pthread_mutex_unlock(&token_mu);
}

/* last_used_at is written at most once an hour per token: a write per
 * request would put every API call behind the write lock and an fsync. */
#define LAST_USED_GRAIN 3600

static void token_touch(fc_store *s, int64_t id, int64_t now)
{
	fc_err err = {0};
	fc_db *db; /* one blind UPDATE: no global write lock needed (store.h) */
	int rc = fc_db_begin(s, FC_DB_WRITE_ROWS, &db, &err);
	if (!rc) {
		rc = fc_db_exec(db, &err, "UPDATE api_tokens SET last_used_at=? WHERE id=?", "II", now, id);
		rc = fc_db_end(db, &rc, &err);
	}
	/* bookkeeping only: the request goes on, the failure is logged */
	if (rc)
		fc_log(FC_LOG_WARN, "cannot record the use of API token %lld: %s", (long long)id, err.msg);
	fc_err_clear(&err);
}

int fc_account_token_auth(fc_store *s, const char *token, fc_user *out, fc_err *err)
{
	char th[65];
	fc_crypto_hash_hex(token, th);
	if (token_cache_get(s, th, out))
		return 0;
	pthread_mutex_lock(&token_mu);
	uint64_t gen = token_gen;
	pthread_mutex_unlock(&token_mu);
	int64_t now = fc_clock_now(), id = 0, expires_at = 0, last_used = 0;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	rc = fc_db_query(db, &st, err,
			 "SELECT " USER_COLS ",t.id,coalesce(t.expires_at,0),coalesce(t.last_used_at,0) FROM api_tokens t "
			 "JOIN users u ON u.id=t.user_id "
			 "WHERE t.token_hash=? AND (t.expires_at IS NULL OR t.expires_at>?) AND u.disabled_at IS NULL",
			 "tI", th, now);
	if (!rc) {
		if (fc_stmt_next(st) == 1) {
			load_user(db, st, out);
			id = fc_stmt_int(st, 5);
			expires_at = fc_stmt_int(st, 6);
			last_used = fc_stmt_int(st, 7);
		} else {
			rc = fc_err_set(err, FC_EAUTH, "invalid_token", NULL,
					"The API token is not valid (revoked, expired, or its account disabled).");
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	if (rc)
		return rc;
	if (now - last_used >= LAST_USED_GRAIN)
		token_touch(s, id, now);
	token_cache_put(s, th, out, expires_at, gen);
	return 0;
}

/* Column col as an RFC 3339 string, or null. */
static json_t *time_json(fc_stmt *st, int col)
{
	char buf[32];
	return fc_stmt_isnull(st, col) ? json_null()
				       : json_string(fc_clock_format(fc_stmt_int(st, col), buf, sizeof buf));
}

static json_t *token_json(fc_stmt *st)
{
	return json_pack("{s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)fc_stmt_int(st, 0), "name", fc_stmt_text(st, 1),
			 "created_at", time_json(st, 2), "last_used_at", time_json(st, 3), "expires_at",
			 time_json(st, 4));
}

int fc_account_token_list(fc_store *s, int64_t user_id, int limit, int64_t after, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	/* expired tokens are listed (with their expires_at) until revoked, so
	 * their owner sees why a script stopped working */
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT id,name,created_at,last_used_at,expires_at FROM api_tokens WHERE user_id=? AND id>? "
			       "ORDER BY id LIMIT ?",
			       "IIi", user_id, after, limit + 1))) {
		*out = fc_stmt_page(st, limit, token_json);
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

int fc_account_token_revoke(fc_store *s, int64_t user_id, int64_t id, const char *token, fc_err *err)
{
	char th[65] = {0};
	if (token)
		fc_crypto_hash_hex(token, th);
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	rc = token ? fc_db_exec(db, err, "DELETE FROM api_tokens WHERE token_hash=? AND user_id=?", "tI", th, user_id)
		   : fc_db_exec(db, err, "DELETE FROM api_tokens WHERE id=? AND user_id=?", "II", id, user_id);
	/* someone else's token is "not found" too: its existence is not theirs to know */
	if (!rc && fc_db_changes(db) == 0)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such API token.");
	if (!rc) /* the other servers sharing the database drop their caches too */
		rc = fc_db_exec(db, err, "UPDATE auth_version SET version=version+1 WHERE id=1", "");
	rc = fc_db_end(db, &rc, err);
	token_cache_invalidate(); /* a cached answer must not outlive the row */
	return rc;
}

void fc_account_forget_tokens(void) { token_cache_invalidate(); }

void fc_account_watch_auth_changes(fc_store *s)
{
	static int64_t seen = -1; /* one store per server process */
	fc_db *db;
	int64_t v = -1;
	if (fc_db_begin(s, FC_DB_READ, &db, NULL))
		return;
	fc_db_int(db, &v, NULL, "SELECT version FROM auth_version WHERE id=1", "");
	fc_db_rollback(db);
	if (v >= 0 && v != seen) {
		if (seen >= 0)
			token_cache_invalidate();
		seen = v;
	}
}

int fc_account_get(fc_store *s, int64_t id, fc_user *out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	rc = fc_db_query(db, &st, err, "SELECT " USER_COLS " FROM users u WHERE u.id=?", "I", id);
	if (!rc) {
		if (fc_stmt_next(st) == 1)
			load_user(db, st, out);
		else
			rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such user.");
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

int fc_account_update(fc_store *s, int64_t actor, int64_t id, const int *roles, int disabled, fc_user *out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t exists = 0;
	if ((rc = fc_db_int(db, &exists, NULL, "SELECT id FROM users WHERE id=?", "I", id))) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such user.");
		goto out;
	}
	if (roles && (rc = fc_db_exec(db, err, "UPDATE users SET roles=? WHERE id=?", "iI", *roles, id)))
		goto out;
	if (disabled == 1) {
		/* sessions go at once (a re-enabled account signs in again); tokens
		 * stay, refused while the account is disabled */
		if ((rc = fc_db_exec(db, err, "UPDATE users SET disabled_at=coalesce(disabled_at,?) WHERE id=?", "II",
				     fc_clock_now(), id)) ||
		    (rc = fc_db_exec(db, err, "DELETE FROM sessions WHERE user_id=?", "I", id)))
			goto out;
	} else if (disabled == 0 && (rc = fc_db_exec(db, err, "UPDATE users SET disabled_at=NULL WHERE id=?", "I", id))) {
		goto out;
	}
	/* the other servers sharing the database drop their token caches */
	if ((rc = fc_db_exec(db, err, "UPDATE auth_version SET version=version+1 WHERE id=1", "")))
		goto out;
	char target[32];
	snprintf(target, sizeof target, "user:%lld", (long long)id);
	json_t *details = json_object();
	if (roles)
		json_object_set_new(details, "roles", fc_roles_json(*roles));
	if (disabled >= 0)
		json_object_set_new(details, "disabled", json_boolean(disabled));
	rc = audit(db, actor,
		   disabled == 1   ? "user.disable"
		   : disabled == 0 ? "user.enable"
				   : "user.roles",
		   target, details, err);
	json_decref(details);
out:
	fc_db_end(db, &rc, err);
	token_cache_invalidate(); /* a cached token must not keep old roles or a disabled account */
	return rc ? rc : fc_account_get(s, id, out, err);
}

int fc_account_count(fc_store *s, int64_t *n, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	rc = fc_db_int(db, n, err, "SELECT COUNT(*) FROM users", "");
	fc_db_rollback(db);
	return rc;
}

static json_t *user_row_json(fc_stmt *st)
{
	fc_user u;
	load_user(NULL, st, &u);
	return fc_account_user_json(&u);
}

int fc_account_list(fc_store *s, const char *q, int role, int limit, int64_t after, json_t **out, fc_err *err)
{
	if (q && strlen(q) > 200)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "q",
				  "The search text must be at most 200 characters.");
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	const char *text = q && *q ? q : NULL;
	fc_stmt *st;
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT " USER_COLS " FROM users u WHERE u.id>? AND (?=0 OR (u.roles & ?) <> 0) "
			       "AND (COALESCE(?, '') = '' OR instr(lower(u.email), lower(?)) > 0 "
			       "OR instr(lower(u.display_name), lower(?)) > 0) ORDER BY u.id LIMIT ?",
			       "IiitttI", after, role, role, text, text, text, (int64_t)limit + 1))) {
		*out = fc_stmt_page(st, limit, user_row_json);
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}
