/* Self-reported demographics. See profile.h. */
#include "account/profile.h"
#include "core/json.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Common Voice's age bands and gender choices, so exports map one to one. */
static const char *AGE_BANDS[] = {"teens",   "twenties",  "thirties", "forties",  "fifties",
				  "sixties", "seventies", "eighties", "nineties", NULL};
static const char *GENDERS[] = {"female", "male", "non-binary", "other", "prefer_not_to_say", NULL};

static int in_list(const char **list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

static int load(fc_db *db, int64_t id, json_t **demo, json_t **langs, char country[8], fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, "SELECT demographics, languages, country FROM users WHERE id=?", "I", id);
	if (rc)
		return rc;
	if (fc_stmt_next(st) != 1) {
		fc_stmt_done(st);
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such user.");
	}
	*demo = fc_stmt_json(st, 0);
	*langs = fc_stmt_json(st, 1);
	snprintf(country, 8, "%s", fc_stmt_isnull(st, 2) ? "" : fc_stmt_text(st, 2));
	fc_stmt_done(st);
	if (!json_is_object(*demo)) {
		json_decref(*demo);
		*demo = json_object();
	}
	if (!json_is_array(*langs)) {
		json_decref(*langs);
		*langs = json_array();
	}
	return 0;
}

static json_t *render(json_t *demo, json_t *langs, const char *country)
{
	json_t *o = json_object();
	const char *keys[] = {"age_band", "gender", "accent"};
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(demo, keys[i]);
		json_object_set_new(o, keys[i], v ? json_incref(v) : json_null());
	}
	json_object_set(o, "languages", langs);
	json_object_set_new(o, "country", *country ? json_string(country) : json_null());
	return o;
}

/* The qualifications granted by passed tests: shown, never self-reported. */
static void add_qualifications(fc_db *db, int64_t id, json_t *o)
{
	fc_stmt *st;
	json_t *q = NULL;
	if (!fc_db_query(db, &st, NULL, "SELECT qualifications FROM users WHERE id=?", "I", id)) {
		if (fc_stmt_next(st) == 1)
			q = fc_stmt_json(st, 0);
		fc_stmt_done(st);
	}
	json_object_set_new(o, "qualifications", json_is_array(q) ? q : (json_decref(q), json_array()));
}

int fc_profile_get(fc_store *s, const fc_user *user, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	json_t *demo = NULL, *langs = NULL;
	char country[8];
	if (!(rc = load(db, user->id, &demo, &langs, country, err))) {
		*out = render(demo, langs, country);
		add_qualifications(db, user->id, *out);
	}
	json_decref(demo);
	json_decref(langs);
	fc_db_rollback(db);
	return rc;
}

int fc_profile_update(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field FIELDS[] = {{"age_band", FC_J_STRING | FC_J_NULLABLE},
					  {"gender", FC_J_STRING | FC_J_NULLABLE},
					  {"accent", FC_J_STRING | FC_J_NULLABLE},
					  {"languages", FC_J_ARRAY | FC_J_NULLABLE},
					  {"country", FC_J_STRING | FC_J_NULLABLE},
					  {0}};
	int rc = fc_json_check(body, FIELDS, err);
	if (rc)
		return rc;
	const char *age = fc_json_str(body, "age_band", NULL), *gender = fc_json_str(body, "gender", NULL);
	const char *accent = fc_json_str(body, "accent", NULL), *country = fc_json_str(body, "country", NULL);
	if (age && !in_list(AGE_BANDS, age))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "age_band",
				  "age_band must be one of teens, twenties, thirties, ... nineties.");
	if (gender && !in_list(GENDERS, gender))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "gender",
				  "gender must be female, male, non-binary, other or prefer_not_to_say.");
	if (accent && (!*accent || strlen(accent) > 100 || strchr(accent, '\t') || strchr(accent, '\n')))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "accent",
				  "accent must have 1 to 100 characters on one line.");
	if (country && !(strlen(country) == 2 && isupper((unsigned char)country[0]) && isupper((unsigned char)country[1])))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "country",
				  "country must be an ISO 3166 two-letter code such as DE.");
	const json_t *langs_in = json_object_get(body, "languages");
	if (json_is_array(langs_in)) {
		size_t i;
		const json_t *v;
		if (json_array_size(langs_in) > 20)
			return fc_err_set(err, FC_EINVAL, "invalid_value", "languages", "List at most 20 languages.");
		json_array_foreach(langs_in, i, v) {
			const char *l = json_string_value(v);
			size_t n = l ? strlen(l) : 0;
			int ok = n >= 2 && n <= 35;
			for (size_t k = 0; ok && k < n; k++)
				ok = isalnum((unsigned char)l[k]) || l[k] == '-';
			if (!ok)
				return fc_err_set(err, FC_EINVAL, "invalid_value", "languages",
						  "languages must be language tags such as \"en\" or \"pt-BR\".");
		}
	}
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	json_t *demo = NULL, *langs = NULL;
	char cur_country[8];
	if ((rc = load(db, user->id, &demo, &langs, cur_country, err)))
		goto out;
	const char *keys[] = {"age_band", "gender", "accent"};
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(body, keys[i]);
		if (json_is_null(v))
			json_object_del(demo, keys[i]);
		else if (v)
			json_object_set(demo, keys[i], v);
	}
	if (langs_in) {
		json_decref(langs);
		langs = json_is_array(langs_in) ? json_deep_copy(langs_in) : json_array();
	}
	if (json_object_get(body, "country"))
		snprintf(cur_country, sizeof cur_country, "%s", country ? country : "");
	if ((rc = fc_db_exec(db, err, "UPDATE users SET demographics=?, languages=?, country=? WHERE id=?", "jjtI",
			     demo, langs, cur_country[0] ? cur_country : NULL, user->id)))
		goto out;
	*out = render(demo, langs, cur_country);
	add_qualifications(db, user->id, *out);
out:
	json_decref(demo);
	json_decref(langs);
	return fc_db_end(db, &rc, err);
}

/* ---- eligibility ---- */

static int json_list_contains(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcasecmp(json_string_value(v), s))
			return 1;
	return 0;
}

int fc_account_eligible(fc_db *db, int64_t user_id, const json_t *el, fc_err *err)
{
	const json_t *countries = json_object_get(el, "countries");
	const json_t *langs = json_object_get(el, "languages");
	const json_t *quals = json_object_get(el, "qualifications");
	int want_verified = json_is_true(json_object_get(el, "verified"));
	if (!json_array_size(countries) && !json_array_size(langs) && !json_array_size(quals) && !want_verified)
		return 0;
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT country, languages, qualifications, verified_at IS NOT NULL FROM users WHERE id=?",
			     "I", user_id);
	if (rc)
		return rc;
	if (fc_stmt_next(st) != 1) {
		fc_stmt_done(st);
		return fc_err_set(err, FC_EPERM, "not_eligible", NULL, "You are not eligible for this project.");
	}
	/* copied: the statement's text is gone once it is done */
	char country[16] = "";
	if (!fc_stmt_isnull(st, 0))
		snprintf(country, sizeof country, "%s", fc_stmt_text(st, 0));
	json_t *ul = fc_stmt_json(st, 1), *uq = fc_stmt_json(st, 2);
	int verified = (int)fc_stmt_int(st, 3);
	fc_stmt_done(st);
	if (want_verified && !verified)
		rc = fc_err_set(err, FC_EPERM, "identity_not_verified", "verified",
				"This project is open to contributors whose identity is verified: send a document on "
				"your privacy page.");
	if (!rc && json_array_size(countries) && (!country[0] || !json_list_contains(countries, country)))
		rc = fc_err_set(err, FC_EPERM, "not_eligible", "country",
				"This project is open to contributors in other countries.");
	if (!rc && json_array_size(langs)) {
		int any = 0;
		size_t i;
		json_t *v;
		json_array_foreach(ul, i, v)
			if (json_is_string(v) && json_list_contains(langs, json_string_value(v)))
				any = 1;
		if (!any)
			rc = fc_err_set(err, FC_EPERM, "not_eligible", "languages",
					"This project needs a language you have not listed in your profile.");
	}
	if (!rc && json_array_size(quals)) {
		size_t i;
		json_t *v;
		json_array_foreach(quals, i, v) {
			if (!json_list_contains(uq, json_string_value(v))) {
				rc = fc_err_set(err, FC_EPERM, "not_eligible", "qualifications",
						"This project needs the qualification '%s'.", json_string_value(v));
				break;
			}
		}
	}
	json_decref(ul);
	json_decref(uq);
	return rc;
}
