#include "account/account.h"
#include "core/clock.h"
#include "core/crypto.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ---- login throttling: 5 failures per email in 15 minutes → 429 ---- */
#define THROTTLE_SLOTS 1024
#define THROTTLE_MAX 5
#define THROTTLE_WINDOW 900
static struct {
	char key[65];
	int64_t first;
	int count;
} throttle[THROTTLE_SLOTS];
static pthread_mutex_t throttle_mu = PTHREAD_MUTEX_INITIALIZER;

static void email_key(const char *email, char out[65])
{
	char low[256];
	size_t i = 0;
	for (; email[i] && i < sizeof low - 1; i++)
		low[i] = (char)tolower((unsigned char)email[i]);
	low[i] = 0;
	fc_crypto_hash_hex(low, out);
}

static int slot_of(const char key[65])
{
	unsigned h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (unsigned)(isdigit((unsigned char)key[i]) ? key[i] - '0' : key[i] - 'a' + 10);
	return (int)(h % THROTTLE_SLOTS);
}

static int throttled(const char key[65])
{
	int64_t now = fc_clock_now();
	pthread_mutex_lock(&throttle_mu);
	int i = slot_of(key);
	int blocked = !strcmp(throttle[i].key, key) && now - throttle[i].first < THROTTLE_WINDOW &&
		      throttle[i].count >= THROTTLE_MAX;
	pthread_mutex_unlock(&throttle_mu);
	return blocked;
}

static void record_failure(const char key[65])
{
	int64_t now = fc_clock_now();
	pthread_mutex_lock(&throttle_mu);
	int i = slot_of(key);
	if (strcmp(throttle[i].key, key) || now - throttle[i].first >= THROTTLE_WINDOW) {
		snprintf(throttle[i].key, sizeof throttle[i].key, "%s", key);
		throttle[i].first = now;
		throttle[i].count = 0;
	}
	throttle[i].count++;
	pthread_mutex_unlock(&throttle_mu);
}

static void record_success(const char key[65])
{
	pthread_mutex_lock(&throttle_mu);
	int i = slot_of(key);
	if (!strcmp(throttle[i].key, key))
		throttle[i].count = 0;
	pthread_mutex_unlock(&throttle_mu);
}

void fc_account_throttle_reset(void)
{
	pthread_mutex_lock(&throttle_mu);
	memset(throttle, 0, sizeof throttle);
	pthread_mutex_unlock(&throttle_mu);
}

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
					  "Unknown role %s%s%s; use admin, requester or contributor.",
					  name ? "'" : "", name ? name : "(not a string)", name ? "'" : "");
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
	return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)u->id, "email", u->email,
			 "display_name", u->display_name, "roles", fc_roles_json(u->roles));
}

/* ---- validation ---- */
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
	return 0;
}

int fc_account_create(fc_store *s, const char *email, const char *password, const char *name,
		      int roles, fc_user *out, fc_err *err)
{
	if (!valid_email(email))
		return fc_err_set(err, FC_EINVAL, "invalid_email", "email",
				  "'%.100s' is not a valid email address.", email);
	size_t plen = strlen(password);
	if (plen < FC_PASSWORD_MIN)
		return fc_err_set(err, FC_EINVAL, "password_too_short", "password",
				  "The password must have at least %d characters.", FC_PASSWORD_MIN);
	if (plen > 1024)
		return fc_err_set(err, FC_EINVAL, "password_too_long", "password",
				  "The password must have at most 1024 characters.");
	size_t nlen = strlen(name);
	if (nlen == 0 || nlen > 100)
		return fc_err_set(err, FC_EINVAL, "invalid_display_name", "display_name",
				  "The display name must have 1 to 100 characters.");
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory while hashing the password.");
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t exists = 0;
	if (fc_db_int(db, &exists, NULL, "SELECT id FROM users WHERE email=?", "t", email) == 0) {
		rc = fc_err_set(err, FC_ECONFLICT, "email_taken", "email",
				"An account with this email already exists.");
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
	rc = fc_db_exec(db, err, "INSERT INTO audit(actor,action,target,at) VALUES(?,?,?,?)", "IttI",
			out->id, "user.create", email, now);
out:
	return fc_db_end(db, &rc, err);
}

int fc_account_login(fc_store *s, const char *email, const char *password, fc_user *out,
		     char token[44], char csrf[44], fc_err *err)
{
	char key[65];
	email_key(email, key);
	if (throttled(key))
		return fc_err_set(err, FC_ERATE, "too_many_attempts", NULL,
				  "Too many failed sign-ins for this account; wait 15 minutes and try again.");
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	char hash[crypto_pwhash_STRBYTES] = {0};
	int found = 0;
	rc = fc_db_query(db, &st, err,
			 "SELECT id,email,display_name,roles,password_hash FROM users WHERE email=?",
			 "t", email);
	if (!rc) {
		if (fc_stmt_next(st) == 1) {
			load_user(db, st, out);
			snprintf(hash, sizeof hash, "%s", fc_stmt_text(st, 4));
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
		record_failure(key);
		return fc_err_set(err, FC_EAUTH, "invalid_credentials", NULL,
				  "The email or password is wrong.");
	}
	record_success(key);
	char th[65];
	fc_crypto_token(token);
	fc_crypto_token(csrf);
	fc_crypto_hash_hex(token, th);
	int64_t now = fc_clock_now();
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	rc = fc_db_exec(db, err,
			"INSERT INTO sessions(token_hash,user_id,csrf,created_at,expires_at) VALUES(?,?,?,?,?)",
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
	rc = fc_db_query(db, &st, err,
			 "SELECT u.id,u.email,u.display_name,u.roles,s.csrf FROM sessions s "
			 "JOIN users u ON u.id=s.user_id WHERE s.token_hash=? AND s.expires_at>?",
			 "tI", th, fc_clock_now());
	if (!rc) {
		if (fc_stmt_next(st) == 1) {
			load_user(db, st, out);
			snprintf(csrf, 44, "%s", fc_stmt_text(st, 4));
		} else {
			rc = fc_err_set(err, FC_EAUTH, "session_expired", NULL,
					"Your session has ended; sign in again.");
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

int fc_account_token_create(fc_store *s, int64_t user_id, const char *name, int64_t *id,
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
		       "INSERT INTO api_tokens(user_id,name,token_hash,created_at) VALUES(?,?,?,?) RETURNING id",
		       "IttI", user_id, name, th, fc_clock_now());
	return fc_db_end(db, &rc, err);
}

/* ---- token cache ----
 * Every API request authenticates; looking the token up is a read
 * transaction, about 8 % of a lease+submit cycle's CPU. Answers are kept
 * for TOKEN_TTL seconds in a small direct-mapped table. Anything that
 * changes what a token resolves to (roles today; revoking a token or
 * deleting a user when they exist) must call token_cache_invalidate() and
 * move auth_version in its transaction, which is how the other servers on
 * the database learn of it (fc_account_watch_auth_changes). */
#define TOKEN_SLOTS 256
#define TOKEN_TTL_NS (30 * 1000000000ull)
static struct token_slot {
	const fc_store *store;
	char th[65];
	fc_user user;
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
	if (e->store == s && e->gen == token_gen && now < e->until && !strcmp(e->th, th)) {
		*out = e->user;
		hit = 1;
	}
	pthread_mutex_unlock(&token_mu);
	return hit;
}

static void token_cache_put(const fc_store *s, const char *th, const fc_user *u, uint64_t gen)
{
	pthread_mutex_lock(&token_mu);
	if (gen == token_gen) { /* nothing changed while we read */
		struct token_slot *e = token_slot_of(th);
		e->store = s;
		memcpy(e->th, th, sizeof e->th);
		e->user = *u;
		e->gen = gen;
		e->until = fc_clock_mono_ns() + TOKEN_TTL_NS;
	}
	pthread_mutex_unlock(&token_mu);
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
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	rc = fc_db_query(db, &st, err,
			 "SELECT u.id,u.email,u.display_name,u.roles FROM api_tokens t "
			 "JOIN users u ON u.id=t.user_id WHERE t.token_hash=?",
			 "t", th);
	if (!rc) {
		if (fc_stmt_next(st) == 1)
			load_user(db, st, out);
		else
			rc = fc_err_set(err, FC_EAUTH, "invalid_token", NULL, "The API token is not valid.");
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	if (!rc)
		token_cache_put(s, th, out, gen);
	return rc;
}

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
	rc = fc_db_query(db, &st, err, "SELECT id,email,display_name,roles FROM users WHERE id=?", "I", id);
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

int fc_account_set_roles(fc_store *s, int64_t id, int roles, fc_user *out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	rc = fc_db_exec(db, err, "UPDATE users SET roles=? WHERE id=?", "iI", roles, id);
	if (!rc && fc_db_changes(db) == 0)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such user.");
	if (!rc)
		rc = fc_db_exec(db, err, "UPDATE auth_version SET version=version+1 WHERE id=1", "");
	fc_db_end(db, &rc, err);
	token_cache_invalidate(); /* a cached token must not keep the old roles */
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

int fc_account_list(fc_store *s, int limit, int64_t after, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = fc_db_query(db, &st, err, "SELECT id,email,display_name,roles FROM users WHERE id>? ORDER BY id LIMIT ?",
			       "Ii", after, limit + 1))) {
		json_t *items = json_array();
		int64_t last = 0;
		int more = 0;
		while (fc_stmt_next(st) == 1) {
			if ((int)json_array_size(items) == limit) {
				more = 1;
				break;
			}
			fc_user u;
			load_user(db, st, &u);
			last = u.id;
			json_array_append_new(items, fc_account_user_json(&u));
		}
		fc_stmt_done(st);
		char cur[32];
		snprintf(cur, sizeof cur, "%lld", (long long)last);
		*out = json_pack("{s:o,s:o}", "items", items, "next", more ? json_string(cur) : json_null());
	}
	fc_db_rollback(db);
	return rc;
}
