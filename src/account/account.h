/* account.h — users, passwords, sessions, API tokens, login throttling.
 *
 * Passwords are Argon2id (libsodium crypto_pwhash_str). Session and API
 * tokens are random 256-bit values shown once and stored only as hashes. */
#ifndef FC_ACCOUNT_ACCOUNT_H
#define FC_ACCOUNT_ACCOUNT_H

#include "core/err.h"
#include "store/store.h"
#include <jansson.h>
#include <stdint.h>

enum { FC_ROLE_ADMIN = 1, FC_ROLE_REQUESTER = 2, FC_ROLE_CONTRIBUTOR = 4 };

typedef struct fc_user {
	int64_t id;
	int roles;
	char email[256];
	char display_name[128];
	int disabled; /* an admin disabled the account */
} fc_user;

#define FC_SESSION_SECONDS (14 * 86400)
#define FC_PASSWORD_MIN 10

/* 0 when password has FC_PASSWORD_MIN to 1024 characters; else FC_EINVAL
 * naming field. */
int fc_account_password_check(const char *password, const char *field, fc_err *err);
/* Creates a user. Validates email, password (>= 10 chars) and name. */
int fc_account_create(fc_store *s, const char *email, const char *password, const char *display_name, int roles,
		      fc_user *out, fc_err *err);
/* Checks credentials from client address `address` and opens a session.
 * token and csrf receive fresh secrets (44 bytes each). FC_EAUTH on bad
 * credentials, FC_EPERM for a disabled account (after a right password),
 * FC_ERATE after repeated failures (account/throttle.h). */
int fc_account_login(fc_store *s, const char *email, const char *password, const char *address, fc_user *out,
		     char token[44], char csrf[44], fc_err *err);
/* Resolves a session token; fills csrf with the session's CSRF token. */
int fc_account_session(fc_store *s, const char *token, fc_user *out, char csrf[44], fc_err *err);
int fc_account_logout(fc_store *s, const char *token, fc_err *err);
/* Creates an API token for user_id, valid until expires_at (0: no expiry);
 * token receives the secret (44 bytes). */
int fc_account_token_create(fc_store *s, int64_t user_id, const char *name, int64_t expires_at, int64_t *id,
			    char token[44], fc_err *err);
/* Resolves an API token: FC_EAUTH when unknown, revoked, expired or its
 * account is disabled. */
int fc_account_token_auth(fc_store *s, const char *token, fc_user *out, fc_err *err);
/* user_id's tokens, by id: {items:[{id,name,created_at,last_used_at,expires_at}], next};
 * never the secret. */
int fc_account_token_list(fc_store *s, int64_t user_id, int limit, int64_t after, json_t **out, fc_err *err);
/* Revokes user_id's token with this id, or (token non-NULL) the token with
 * this secret. FC_ENOTFOUND when user_id has no such token. Takes effect at
 * once (the token cache is dropped). */
int fc_account_token_revoke(fc_store *s, int64_t user_id, int64_t id, const char *token, fc_err *err);
int fc_account_get(fc_store *s, int64_t id, fc_user *out, fc_err *err);
/* Admin change by `actor` to user id: roles (NULL: unchanged) and disabled
 * (1 disables: sessions deleted, tokens refused; 0 enables; -1 unchanged).
 * Takes effect at once (the token cache is dropped). */
int fc_account_update(fc_store *s, int64_t actor, int64_t id, const int *roles, int disabled, fc_user *out, fc_err *err);
/* Drops this process's cache of token answers when any server sharing the
 * database changed what credentials resolve to since the last call (one
 * small read; the server calls it once before it serves, then every 200 ms). */
void fc_account_watch_auth_changes(fc_store *s);
/* Drops this process's cached token answers (after a change made outside
 * this module, such as an account deleted by privacy/, whose transaction
 * also moved auth_version for the other servers). */
void fc_account_forget_tokens(void);
int fc_account_count(fc_store *s, int64_t *n, fc_err *err);
/* Admin listing, by id: {items:[user…], next}; q (NULL: any) is text in
 * the email or name, role (0: any) a FC_ROLE_* bit the user holds. */
int fc_account_list(fc_store *s, const char *q, int role, int limit, int64_t after, json_t **out, fc_err *err);

/* The audit log's recorder. account/ sits below the domain and below
 * events/, so it can neither call privacy/ nor publish an event; wiring.c
 * hands it privacy's recorder at start-up instead, and account creation and
 * admin changes call it inside their own transaction (an audited change and
 * its audit row commit together). Unset (unit tests), nothing is recorded. */
typedef int (*fc_account_audit_fn)(fc_db *db, int64_t actor, const char *action, const char *target,
				   const json_t *details, fc_err *err);
void fc_account_set_audit(fc_account_audit_fn fn);

/* Role names <-> bits. Parse rejects unknown names (400 naming the field). */
int fc_roles_parse(const json_t *arr, int *roles, fc_err *err);
json_t *fc_roles_json(int roles); /* new reference */
/* {id,email,display_name,roles:[…],disabled}; new reference. */
json_t *fc_account_user_json(const fc_user *u);

#endif
