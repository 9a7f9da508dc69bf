/* Minimum wages per country and exchange rates. See wages.h. */
#include "money/wages.h"
#include "core/clock.h"
#include "core/json.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Digits after the decimal point of a currency's minor unit (ISO 4217). */
static int digits(const char *cur)
{
	static const char *const ZERO[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
					   "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF", NULL};
	static const char *const THREE[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
	for (int i = 0; ZERO[i]; i++)
		if (!strcmp(cur, ZERO[i]))
			return 0;
	for (int i = 0; THREE[i]; i++)
		if (!strcmp(cur, THREE[i]))
			return 3;
	return 2;
}

static int is_code(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

static int rate(fc_db *db, const char *cur, double *out)
{
	if (!strcmp(cur, "USD")) {
		*out = 1;
		return 1;
	}
	fc_stmt *st;
	int found = 0;
	if (fc_db_query(db, &st, NULL, "SELECT per_usd FROM exchange_rates WHERE currency=?", "t", cur))
		return 0;
	if (fc_stmt_next(st) == 1) {
		*out = fc_stmt_double(st, 0);
		found = *out > 0;
	}
	fc_stmt_done(st);
	return found;
}

int64_t fc_wage_convert(fc_db *db, int64_t hourly, const char *from, const char *to)
{
	if (!strcmp(from, to))
		return hourly;
	double rf, rt;
	if (!rate(db, from, &rf) || !rate(db, to, &rt))
		return 0; /* no rate: the platform floor alone applies, and the admin screen says why */
	double major = (double)hourly / pow(10, digits(from)) / rf * rt;
	/* rounded up: a conversion never pays under the wage */
	return (int64_t)ceil(major * pow(10, digits(to)) - 1e-9);
}

int64_t fc_wage_of(fc_db *db, int64_t user, const char *currency)
{
	fc_stmt *st;
	int64_t hourly = 0;
	char cur[8] = "";
	if (fc_db_query(db, &st, NULL,
			"SELECT m.hourly, m.currency FROM users u JOIN minimum_wages m ON m.country=u.country WHERE u.id=?",
			"I", user))
		return 0;
	if (fc_stmt_next(st) == 1) {
		hourly = fc_stmt_int(st, 0);
		snprintf(cur, sizeof cur, "%s", fc_stmt_text(st, 1));
	}
	fc_stmt_done(st);
	return hourly ? fc_wage_convert(db, hourly, cur, currency) : 0;
}

static json_t *read_all(fc_db *db, fc_err *err, int *rc)
{
	json_t *wages = json_object(), *rates = json_object();
	fc_stmt *st;
	if (!(*rc = fc_db_query(db, &st, err,
				"SELECT country, hourly, currency, source, as_of, updated_at FROM minimum_wages ORDER BY country",
				""))) {
		while (fc_stmt_next(st) == 1)
			json_object_set_new(wages, fc_stmt_text(st, 0),
					    json_pack("{s:I,s:s,s:s,s:s,s:o}", "hourly", (json_int_t)fc_stmt_int(st, 1),
						      "currency", fc_stmt_text(st, 2), "source", fc_stmt_text(st, 3),
						      "as_of", fc_stmt_text(st, 4), "updated_at", fc_stmt_time(st, 5)));
		fc_stmt_done(st);
	}
	if (!*rc &&
	    !(*rc = fc_db_query(db, &st, err, "SELECT currency, per_usd FROM exchange_rates ORDER BY currency", ""))) {
		while (fc_stmt_next(st) == 1)
			json_object_set_new(rates, fc_stmt_text(st, 0), json_real(fc_stmt_double(st, 1)));
		fc_stmt_done(st);
	}
	return json_pack("{s:o,s:o,s:s}", "minimum_wages", wages, "exchange_rates", rates, "rates_are",
			 "units of the currency one US dollar buys");
}

int fc_wages_get(fc_store *s, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	*out = read_all(db, err, &rc);
	fc_db_rollback(db);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* One country's entry: {"hourly": int > 0, "currency": "EUR", "source"?,
 * "as_of"?}. */
static int check_wage(const char *cc, const json_t *v, fc_err *err)
{
	char f[40];
	if (!is_code(cc, 2))
		return fc_err_set(err, FC_EINVAL, "invalid_value", cc,
				  "Countries are ISO 3166-1 alpha-2 codes in capitals, like DE; '%s' is not.", cc);
	if (!json_is_object(v))
		return fc_err_set(err, FC_EINVAL, "invalid_type", cc,
				  "%s must be an object: {\"hourly\": minor units per hour, \"currency\": \"EUR\"}.", cc);
	const char *key;
	const json_t *x;
	json_object_foreach((json_t *)v, key, x) {
		if (strcmp(key, "hourly") && strcmp(key, "currency") && strcmp(key, "source") && strcmp(key, "as_of"))
			return fc_err_set(err, FC_EINVAL, "unknown_field", cc,
					  "%s has a field '%s'; use hourly, currency, source, as_of.", cc, key);
	}
	const json_t *h = json_object_get(v, "hourly"), *c = json_object_get(v, "currency");
	snprintf(f, sizeof f, "%s.hourly", cc);
	if (!json_is_integer(h) || json_integer_value(h) <= 0 || json_integer_value(h) > 100000000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", f,
				  "%s must be a whole number of minor units per hour (1250 for 12.50), above 0.", f);
	snprintf(f, sizeof f, "%s.currency", cc);
	if (!is_code(json_string_value(c), 3))
		return fc_err_set(err, FC_EINVAL, "invalid_value", f, "%s must be an ISO 4217 code, like EUR.", f);
	const char *opt[] = {"source", "as_of"};
	for (int i = 0; i < 2; i++) {
		const json_t *o = json_object_get(v, opt[i]);
		snprintf(f, sizeof f, "%s.%s", cc, opt[i]);
		if (o && (!json_is_string(o) || strlen(json_string_value(o)) > 500))
			return fc_err_set(err, FC_EINVAL, "invalid_value", f, "%s must be text of at most 500 bytes.", f);
	}
	return 0;
}

int fc_wages_put(fc_store *s, const json_t *body, json_t **out, fc_err *err)
{
	if (!json_is_object(body))
		return fc_err_set(err, FC_EINVAL, "invalid_type", NULL,
				  "Send an object of countries: {\"DE\": {\"hourly\": 1282, \"currency\": \"EUR\"}}.");
	if (json_object_size(body) > 300)
		return fc_err_set(err, FC_EINVAL, "too_many", NULL, "At most 300 countries.");
	const char *cc;
	const json_t *v;
	int rc;
	json_object_foreach((json_t *)body, cc, v)
		if ((rc = check_wage(cc, v, err)))
			return rc;
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	/* the table is replaced: a country left out has no minimum wage */
	if ((rc = fc_db_exec(db, err, "DELETE FROM minimum_wages", "")))
		goto out;
	int64_t now = fc_clock_now();
	json_object_foreach((json_t *)body, cc, v) {
		if ((rc = fc_db_exec(db, err,
				     "INSERT INTO minimum_wages(country,hourly,currency,source,as_of,updated_at) "
				     "VALUES(?,?,?,?,?,?)",
				     "tItttI", cc, (int64_t)json_integer_value(json_object_get(v, "hourly")),
				     json_string_value(json_object_get(v, "currency")), fc_json_str(v, "source", ""),
				     fc_json_str(v, "as_of", ""), now)))
			goto out;
	}
	*out = read_all(db, err, &rc);
out:
	return fc_db_end(db, &rc, err);
}

int fc_rates_put(fc_store *s, const json_t *body, json_t **out, fc_err *err)
{
	if (!json_is_object(body))
		return fc_err_set(err, FC_EINVAL, "invalid_type", NULL,
				  "Send an object of currencies: {\"EUR\": 0.92} — what one US dollar buys.");
	const char *cur;
	const json_t *v;
	json_object_foreach((json_t *)body, cur, v) {
		if (!is_code(cur, 3))
			return fc_err_set(err, FC_EINVAL, "invalid_value", cur,
					  "Currencies are ISO 4217 codes, like EUR; '%s' is not.", cur);
		if (json_is_null(v) && strcmp(cur, "USD"))
			continue; /* removes the rate */
		if (!json_is_number(v) || !(json_number_value(v) > 0) || json_number_value(v) > 1e9)
			return fc_err_set(err, FC_EINVAL, "invalid_value", cur,
					  "%s must be a number above 0: how many %s one US dollar buys.", cur, cur);
		if (!strcmp(cur, "USD") && json_number_value(v) != 1)
			return fc_err_set(err, FC_EINVAL, "invalid_value", cur, "USD is the base: its rate is 1.");
	}
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t now = fc_clock_now();
	json_object_foreach((json_t *)body, cur, v) {
		if (json_is_null(v)) {
			if ((rc = fc_db_exec(db, err, "DELETE FROM exchange_rates WHERE currency=?", "t", cur)))
				goto out;
			continue;
		}
		if ((rc = fc_db_exec(db, err,
				     "INSERT INTO exchange_rates(currency,per_usd,updated_at) VALUES(?,?,?) ON CONFLICT(currency) "
				     "DO UPDATE SET per_usd=excluded.per_usd, updated_at=excluded.updated_at",
				     "tdI", cur, json_number_value(v), now)))
			goto out;
	}
	*out = read_all(db, err, &rc);
out:
	return fc_db_end(db, &rc, err);
}
