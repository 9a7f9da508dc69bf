/* Email notifications: queued on the domain events as outbox items of the
 * sink "email", sent through the SMTP relay with libcurl. See contrib.h. */
#include "contrib/contrib.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "events/events.h"
#include "events/outbox.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SINK "email"
#define TITLE_MAX 120 /* bytes of a project title in a subject line */

static char smtp_url[1024], smtp_from[256];
static const char *from_domain = "localhost"; /* points into smtp_from */
static int configured;

int fc_email_configured(void) { return configured; }

/* Reads FAIRCROWD_SMTP_URL and FAIRCROWD_SMTP_FROM. Email stays off (and
 * nothing is queued) when the URL is unset, and also when either is
 * unusable: queueing mail that can never leave would only fill the outbox. */
static int read_config(void)
{
	const char *url = getenv("FAIRCROWD_SMTP_URL"), *from = getenv("FAIRCROWD_SMTP_FROM");
	if (!url || !*url)
		return 0;
	if ((strncasecmp(url, "smtp://", 7) && strncasecmp(url, "smtps://", 8)) || strlen(url) >= sizeof smtp_url) {
		fc_log(FC_LOG_ERROR, "email: FAIRCROWD_SMTP_URL must be smtp://host:port or smtps://host:port; "
				     "email notifications are off");
		return 0;
	}
	const char *at = from ? strchr(from, '@') : NULL;
	if (!at || at == from || !at[1] || strlen(from) >= sizeof smtp_from || strpbrk(from, "<>\r\n \t\",;")) {
		fc_log(FC_LOG_ERROR, "email: FAIRCROWD_SMTP_FROM must be a plain address such as "
				     "noreply@example.org; email notifications are off");
		return 0;
	}
	snprintf(smtp_url, sizeof smtp_url, "%s", url);
	snprintf(smtp_from, sizeof smtp_from, "%s", from);
	from_domain = strchr(smtp_from, '@') + 1;
	return 1;
}

/* ---- composing on the event ---- */

/* Copies at most max bytes of s into out, cutting at a UTF-8 character
 * boundary and turning control characters (a CR LF would start a new mail
 * header) into spaces. */
static void clean_line(const char *s, size_t max, char *out, size_t out_len)
{
	size_t n = strlen(s);
	if (n > max)
		n = max;
	if (n >= out_len)
		n = out_len - 1;
	while (n > 0 && n < strlen(s) && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* s[n] continues a character: cut before it starts */
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < ' ' || s[i] == 0x7f ? ' ' : s[i];
	out[n] = 0;
}

typedef struct facts {
	char email[256], name[128], title[TITLE_MAX + 8];
	char reason_code[64], reason_text[2048];
} facts;

static int load_facts(fc_db *db, const fc_event *ev, facts *f, fc_err *err)
{
	memset(f, 0, sizeof *f);
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT u.email, u.display_name, p.title, s.reason_code, s.reason_text FROM submissions s "
			     "JOIN users u ON u.id=s.user_id JOIN projects p ON p.id=s.project_id WHERE s.id=?",
			     "I", ev->submission);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		snprintf(f->email, sizeof f->email, "%s", fc_stmt_text(st, 0));
		clean_line(fc_stmt_text(st, 1), sizeof f->name - 1, f->name, sizeof f->name);
		clean_line(fc_stmt_text(st, 2), TITLE_MAX, f->title, sizeof f->title);
		snprintf(f->reason_code, sizeof f->reason_code, "%s", fc_stmt_isnull(st, 3) ? "" : fc_stmt_text(st, 3));
		snprintf(f->reason_text, sizeof f->reason_text, "%s", fc_stmt_isnull(st, 4) ? "" : fc_stmt_text(st, 4));
	}
	fc_stmt_done(st);
	if (!f->email[0])
		return fc_err_set(err, FC_EDB, "not_found", NULL, "The submission of this decision is gone.");
	return 0;
}

#define FOOTER \
	"\n\n-- \nfaircrowd\nYou receive this because email notifications are on in your profile " \
	"(\"Limits and notifications\"); turn them off there.\n"

static char *compose_decision(const fc_event *ev, const facts *f, char *subject, size_t subject_len)
{
	char *body = NULL;
	int n;
	if (ev->kind == FC_EV_REJECTED) {
		snprintf(subject, subject_len, "Your work on \"%s\" was rejected", f->title);
		n = asprintf(&body,
			     "Hello %s,\n\nyour submission #%lld to \"%s\" was rejected.\n\nReason: %s\n"
			     "The reviewer wrote: %s\n\nIf you think this is wrong, you can appeal the decision from "
			     "your submissions page; another reviewer will decide." FOOTER,
			     f->name, (long long)ev->submission, f->title,
			     f->reason_code[0] ? f->reason_code : ev->text, f->reason_text);
	} else {
		snprintf(subject, subject_len, "Your work on \"%s\" was accepted", f->title);
		n = asprintf(&body,
			     "Hello %s,\n\nyour submission #%lld to \"%s\" was accepted; its reward is now "
			     "available to you." FOOTER,
			     f->name, (long long)ev->submission, f->title);
	}
	return n < 0 ? NULL : body;
}

static char *compose_appeal(fc_db *db, const fc_event *ev, const facts *f, char *subject, size_t subject_len)
{
	char reason[2048] = "";
	fc_stmt *st;
	if (!fc_db_query(db, &st, NULL,
			 "SELECT decision_reason FROM appeals WHERE submission_id=? ORDER BY id DESC LIMIT 1", "I",
			 ev->submission)) {
		if (fc_stmt_next(st) == 1 && !fc_stmt_isnull(st, 0))
			snprintf(reason, sizeof reason, "%s", fc_stmt_text(st, 0));
		fc_stmt_done(st);
	}
	snprintf(subject, subject_len, "Your appeal on \"%s\" was %s", f->title, ev->upheld ? "upheld" : "denied");
	char *body = NULL;
	int n = asprintf(&body,
			 "Hello %s,\n\nyour appeal about submission #%lld to \"%s\" was %s.\n%s\n"
			 "The reviewer wrote: %s" FOOTER,
			 f->name, (long long)ev->submission, f->title, ev->upheld ? "upheld" : "denied",
			 ev->upheld ? "The submission now counts as accepted and is paid." : "The rejection stands.",
			 reason);
	return n < 0 ? NULL : body;
}

static const char WANTS_TAG[FC_EV_COUNT]; /* a publish batch's memo: 1 wants email, 2 not */

static int on_event(fc_db *db, fc_event *ev, fc_err *err)
{
	/* auto-approval is the absence of a decision: mailing every one of them
	 * would bury the decisions people asked to hear about */
	if (ev->kind == FC_EV_ACCEPTED && (ev->automatic || !ev->actor))
		return 0;
	const char *category = ev->kind == FC_EV_APPEAL_DECIDED ? "appeals" : "decisions";
	int fresh; /* in a publish batch, the contributor's choice is read once */
	fc_memo *m = fc_event_memo(ev, &WANTS_TAG[ev->kind], ev->user, &fresh);
	if (m && !fresh ? m->n != 1 : !fc_prefs_wants(db, ev->user, "email", category)) {
		if (m)
			m->n = 2;
		return 0;
	}
	if (m)
		m->n = 1;
	facts f;
	int rc = load_facts(db, ev, &f, err);
	if (rc)
		return rc;
	char subject[256];
	char *body = ev->kind == FC_EV_APPEAL_DECIDED ? compose_appeal(db, ev, &f, subject, sizeof subject)
						      : compose_decision(ev, &f, subject, sizeof subject);
	rc = body ? fc_email_queue(db, ev->user, ev->project, fc_event_name(ev->kind), f.email, subject, body, category,
				   err)
		  : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	free(body);
	return rc;
}

int fc_email_queue(fc_db *db, int64_t user, int64_t project, const char *action, const char *to, const char *subject,
		   const char *body, const char *category, fc_err *err)
{
	if (!configured)
		return 0;
	char subj[256];
	clean_line(subject, 200, subj, sizeof subj);
	json_t *msg = json_pack("{s:s,s:s,s:s,s:s}", "to", to, "subject", subj, "body", body, "category", category);
	char *payload = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	int rc = payload ? fc_outbox_put(db, SINK, user, project, action, payload, err)
			 : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	free(payload);
	json_decref(msg);
	return rc;
}

/* ---- delivery ---- */

/* Subject as an RFC 2047 header value: plain when it is ASCII, otherwise
 * base64 encoded-words of at most 45 bytes each (never splitting a UTF-8
 * character), folded onto continuation lines. */
static void append_subject(char **m, size_t *len, const char *subject)
{
	int ascii = 1;
	for (const char *p = subject; *p; p++)
		ascii &= (unsigned char)*p < 0x80;
	FILE *f = open_memstream(m, len);
	if (!f)
		return;
	if (ascii) {
		fprintf(f, "Subject: %s\r\n", subject);
	} else {
		fputs("Subject:", f);
		size_t n = strlen(subject), i = 0;
		while (i < n) {
			size_t k = n - i > 45 ? 45 : n - i;
			while (i + k < n && k > 0 && ((unsigned char)subject[i + k] & 0xC0) == 0x80)
				k--;
			char b64[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
			sodium_bin2base64(b64, sizeof b64, (const unsigned char *)subject + i, k,
					  sodium_base64_VARIANT_ORIGINAL);
			fprintf(f, " =?UTF-8?B?%s?=\r\n", b64); /* each word on its own folded line */
			i += k;
		}
	}
	fclose(f);
}

/* The whole message, byte for byte the same on every attempt (Date is the
 * event's time, Message-ID the outbox item's id). NULL when out of memory
 * or the payload is not ours. */
static char *message(const fc_outbox_item *it, char *to, size_t to_len)
{
	json_t *p = json_loads(it->payload, 0, NULL);
	const char *rcpt = fc_json_str(p, "to", NULL), *subject = fc_json_str(p, "subject", NULL);
	const char *body = fc_json_str(p, "body", NULL);
	char *out = NULL, *subj = NULL, *b64 = NULL;
	size_t out_len = 0, subj_len = 0;
	FILE *f = NULL;
	if (!rcpt || !subject || !body || strpbrk(rcpt, "<>\r\n ") || strlen(rcpt) >= to_len)
		goto out;
	snprintf(to, to_len, "%s", rcpt);
	append_subject(&subj, &subj_len, subject);
	size_t n = strlen(body), b64_len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	if (!subj || !(b64 = malloc(b64_len)) || !(f = open_memstream(&out, &out_len)))
		goto out;
	sodium_bin2base64(b64, b64_len, (const unsigned char *)body, n, sodium_base64_VARIANT_ORIGINAL);
	char date[128];
	time_t t = (time_t)it->created_at;
	struct tm tm;
	gmtime_r(&t, &tm);
	/* RFC 5322 wants English day and month names, whatever the locale */
	static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", DAYS[tm.tm_wday], tm.tm_mday,
		 MONTHS[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	fprintf(f,
		"From: faircrowd <%s>\r\nTo: <%s>\r\n%sDate: %s\r\nMessage-ID: <faircrowd.%lld@%s>\r\n"
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
		"Auto-Submitted: auto-generated\r\nX-Faircrowd-Category: %s\r\n\r\n",
		smtp_from, rcpt, subj, date, (long long)it->id, from_domain, fc_json_str(p, "category", "other"));
	for (size_t i = 0, m = strlen(b64); i < m; i += 76) /* lines of at most 76 characters */
		fprintf(f, "%.76s\r\n", b64 + i);
out:
	if (f && fclose(f)) {
		free(out);
		out = NULL;
	}
	free(subj);
	free(b64);
	json_decref(p);
	return out;
}

typedef struct reader {
	const char *p;
	size_t left;
} reader;

static size_t read_message(char *buf, size_t size, size_t n, void *ud)
{
	reader *r = ud;
	size_t k = size * n < r->left ? size * n : r->left;
	memcpy(buf, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

static int deliver(fc_store *s, const fc_outbox_item *it, int *status, char *error, size_t error_len)
{
	(void)s;
	*status = 0;
	char to[300], from[300];
	char *msg = message(it, to, sizeof to);
	if (!msg) {
		snprintf(error, error_len, "cannot compose the message (out of memory or a bad address)");
		return -1;
	}
	int rc = -1;
	struct curl_slist *rcpt = NULL;
	CURL *c = curl_easy_init();
	char rcpt_line[310];
	snprintf(rcpt_line, sizeof rcpt_line, "<%s>", to);
	snprintf(from, sizeof from, "<%s>", smtp_from);
	if (!c || !(rcpt = curl_slist_append(NULL, rcpt_line))) {
		snprintf(error, error_len, "cannot start an SMTP client");
		goto out;
	}
	reader r = {msg, strlen(msg)};
	curl_easy_setopt(c, CURLOPT_URL, smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* STARTTLS whenever the relay offers it; smtps:// for TLS from the start */
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode cc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	*status = (int)code; /* the relay's last SMTP reply code */
	if (cc != CURLE_OK)
		snprintf(error, error_len, "%s (SMTP %ld)", curl_easy_strerror(cc), code);
	else
		rc = 0;
out:
	curl_slist_free_all(rcpt);
	if (c)
		curl_easy_cleanup(c);
	free(msg);
	return rc;
}

/* ---- wiring ---- */

static int on_leasing(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_prefs_lease_check(db, ev->user, fc_clock_now(), err);
}

void fc_contrib_subscribe(void)
{
	fc_events_on(FC_EV_LEASING, "contrib: daily limit and quiet hours", on_leasing);
	fc_notify_subscribe();
	fc_worknotice_subscribe();
	configured = read_config();
	if (!configured)
		return;                        /* no relay: no email subscribers, so no outbox rows at all */
	curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread; reference-counted by libcurl */
	fc_events_on(FC_EV_ACCEPTED, "contrib: email queued", on_event);
	fc_events_on(FC_EV_REJECTED, "contrib: email queued", on_event);
	fc_events_on(FC_EV_APPEAL_DECIDED, "contrib: email queued", on_event);
	fc_outbox_sink(SINK, deliver);
}
