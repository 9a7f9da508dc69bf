/* Password reset mail: the account module issues the token, this queues
 * the mail through the outbox sink "email" in the same transaction. See
 * contrib.h. */
#include "account/reset.h"
#include "contrib/contrib.h"
#include "events/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fc_contrib_password_reset(fc_store *s, const char *email, fc_err *err)
{
	/* without a relay there is no way to reach the account's owner, and a
	 * token nobody can receive is only a risk */
	if (!fc_email_configured() || !email || !*email || strlen(email) > 254)
		return 0;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	char token[44], name[128] = "";
	int64_t user = 0;
	int issued = fc_account_reset_issue(db, email, token, &user, name, err);
	if (issued < 0) {
		rc = issued;
		goto out;
	}
	if (!issued)
		goto out;
	/* the link is built from configuration, never from the request's Host
	 * header, which a stranger could set to their own site */
	const char *base = getenv("FAIRCROWD_PUBLIC_URL");
	char link[600] = "";
	if (base && (!strncmp(base, "https://", 8) || !strncmp(base, "http://", 7)) && strlen(base) < 500) {
		int n = (int)strlen(base);
		while (n > 0 && base[n - 1] == '/')
			n--;
		snprintf(link, sizeof link, "Open this link to choose a new password:\n%.*s/reset?token=%s\n\n", n,
			 base, token);
	}
	for (char *p = name; *p; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';
	char *body = NULL;
	if (asprintf(&body,
		     "Hello %s,\n\nsomeone (we hope you) asked to reset the password of your faircrowd account.\n\n%s"
		     "Or choose \"Forgot your password?\" on the sign-in page and enter this code:\n%s\n\n"
		     "The code works once, within an hour. If you did not ask for it, ignore this mail: your "
		     "password stays as it is.\n\n-- \nfaircrowd\n",
		     name, link, token) < 0) {
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
		goto out;
	}
	json_t *msg = json_pack("{s:s,s:s,s:s,s:s}", "to", email, "subject", "Reset your faircrowd password", "body",
				body, "category", "account");
	char *payload = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	rc = payload ? fc_outbox_put(db, "email", user, 0, "password_reset", payload, err)
		     : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	free(payload);
	json_decref(msg);
	free(body);
out:
	return fc_db_end(db, &rc, err);
}
