/* S3-compatible client with AWS Signature Version 4. See s3.h.
 *
 * Signing follows the AWS SigV4 specification: a canonical request
 * (method, URI, query, sorted lowercase headers, signed header list,
 * payload hash), a string to sign (algorithm, timestamp, credential scope,
 * SHA-256 of the canonical request), and an HMAC-SHA256 chain that derives
 * the signing key from the secret, the date, the region and the service. */
#include "blob/s3.h"
#include "core/log.h"
#include "http/outbound.h"

#include <curl/curl.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct fc_s3 {
	char base[512];   /* scheme://host[:port][/prefix], no trailing slash */
	char host[256];   /* host[:port] */
	char prefix[256]; /* path before the bucket, "" or "/p" */
	char bucket[128];
	char region[64];
	char access[128];
	char secret[256];
	int guarded;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = 0;
}

static void hmac(const void *key, size_t kn, const char *msg, unsigned char out[32])
{
	unsigned int len = 32;
	HMAC(EVP_sha256(), key, (int)kn, (const unsigned char *)msg, strlen(msg), out, &len);
}

void fc_sigv4_signing_key(const char *secret, const char *date8, const char *region, const char *service,
			  unsigned char out[32])
{
	char k[300];
	unsigned char a[32], b[32];
	snprintf(k, sizeof k, "AWS4%s", secret);
	hmac(k, strlen(k), date8, a);
	hmac(a, 32, region, b);
	hmac(b, 32, service, a);
	hmac(a, 32, "aws4_request", out);
	OPENSSL_cleanse(k, sizeof k);
	OPENSSL_cleanse(a, sizeof a);
	OPENSSL_cleanse(b, sizeof b);
}

int fc_sigv4_sign(const fc_sigv4_req *r, char *auth, size_t n, char *canonical, size_t cn, char *to_sign, size_t tn)
{
	char creq[4096], sts[1024], scope[256], date8[9];
	const char *signed_headers = r->sign_content_sha256 ? "host;x-amz-content-sha256;x-amz-date" : "host;x-amz-date";
	int w;
	if (r->sign_content_sha256)
		w = snprintf(creq, sizeof creq, "%s\n%s\n%s\nhost:%s\nx-amz-content-sha256:%s\nx-amz-date:%s\n\n%s\n%s",
			     r->method, r->path, r->query, r->host, r->payload_hash, r->amz_date, signed_headers,
			     r->payload_hash);
	else
		w = snprintf(creq, sizeof creq, "%s\n%s\n%s\nhost:%s\nx-amz-date:%s\n\n%s\n%s", r->method, r->path,
			     r->query, r->host, r->amz_date, signed_headers, r->payload_hash);
	if (w < 0 || (size_t)w >= sizeof creq || strlen(r->amz_date) != 16)
		return FC_EINVAL;
	memcpy(date8, r->amz_date, 8);
	date8[8] = 0;
	snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", date8, r->region, r->service);
	unsigned char digest[32], key[32], sig[32];
	char dhex[65], shex[65];
	SHA256((const unsigned char *)creq, strlen(creq), digest);
	hex(digest, 32, dhex);
	w = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", r->amz_date, scope, dhex);
	if (w < 0 || (size_t)w >= sizeof sts)
		return FC_EINVAL;
	fc_sigv4_signing_key(r->secret_key, date8, r->region, r->service, key);
	hmac(key, 32, sts, sig);
	OPENSSL_cleanse(key, sizeof key);
	hex(sig, 32, shex);
	w = snprintf(auth, n, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", r->access_key, scope,
		     signed_headers, shex);
	if (w < 0 || (size_t)w >= n)
		return FC_EINVAL;
	if (canonical && snprintf(canonical, cn, "%s", creq) >= (int)cn)
		return FC_EINVAL;
	if (to_sign && snprintf(to_sign, tn, "%s", sts) >= (int)tn)
		return FC_EINVAL;
	return 0;
}

int fc_s3_new(fc_s3 **out, const fc_s3_config *c, fc_err *err)
{
	if (!c->endpoint || !*c->endpoint || !c->bucket || !*c->bucket || !c->access_key || !c->secret_key)
		return fc_err_set(err, FC_EINVAL, "internal", NULL,
				  "S3 storage needs FAIRCROWD_S3_ENDPOINT, FAIRCROWD_S3_BUCKET, "
				  "FAIRCROWD_S3_ACCESS_KEY and FAIRCROWD_S3_SECRET_KEY.");
	const char *hp = strstr(c->endpoint, "://");
	if (!hp || (strncmp(c->endpoint, "http://", 7) && strncmp(c->endpoint, "https://", 8)))
		return fc_err_set(err, FC_EINVAL, "internal", NULL, "FAIRCROWD_S3_ENDPOINT must be an http(s) URL.");
	fc_s3 *s = calloc(1, sizeof *s);
	if (!s)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	hp += 3;
	size_t hl = strcspn(hp, "/");
	snprintf(s->base, sizeof s->base, "%s", c->endpoint);
	size_t bl = strlen(s->base);
	while (bl && s->base[bl - 1] == '/')
		s->base[--bl] = 0;
	snprintf(s->host, sizeof s->host, "%.*s", (int)hl, hp);
	snprintf(s->prefix, sizeof s->prefix, "%s", s->base + (size_t)(hp - c->endpoint) + hl);
	snprintf(s->bucket, sizeof s->bucket, "%s", c->bucket);
	snprintf(s->region, sizeof s->region, "%s", c->region && *c->region ? c->region : "us-east-1");
	snprintf(s->access, sizeof s->access, "%s", c->access_key);
	snprintf(s->secret, sizeof s->secret, "%s", c->secret_key);
	s->guarded = c->guarded;
	pthread_once(&curl_once, curl_init);
	*out = s;
	return 0;
}

void fc_s3_free(fc_s3 *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s->secret, sizeof s->secret);
	free(s);
}

/* URI-encodes everything but unreserved characters and, unless slash is
 * set (query values), '/'. */
static int uri_encode(const char *in, char *out, size_t n, int slash)
{
	static const char d[] = "0123456789ABCDEF";
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			   strchr(slash ? "-_.~" : "-_.~/", *p);
		if (o + (keep ? 1 : 3) >= n)
			return -1;
		if (keep) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = d[*p >> 4];
			out[o++] = d[*p & 15];
		}
	}
	out[o] = 0;
	return 0;
}

typedef struct call {
	FILE *in, *out;
	uint64_t written;
	long status;
	CURL *c;
	char errbody[512];
	size_t errlen;
} call;

static size_t on_read(char *buf, size_t sz, size_t n, void *ud)
{
	call *k = ud;
	size_t got = fread(buf, 1, sz * n, k->in);
	return got == 0 && ferror(k->in) ? CURL_READFUNC_ABORT : got;
}

static size_t on_write(char *buf, size_t sz, size_t n, void *ud)
{
	call *k = ud;
	size_t len = sz * n;
	if (!k->status)
		curl_easy_getinfo(k->c, CURLINFO_RESPONSE_CODE, &k->status);
	if (k->out && k->status >= 200 && k->status < 300) {
		if (fwrite(buf, 1, len, k->out) != len)
			return 0;
		k->written += len;
		return len;
	}
	size_t room = sizeof k->errbody - 1 - k->errlen; /* an error document: keep its start for the log */
	size_t take = len < room ? len : room;
	memcpy(k->errbody + k->errlen, buf, take);
	k->errlen += take;
	k->errbody[k->errlen] = 0;
	return len;
}

/* One signed request. key NULL: the bucket itself; query: the canonical
 * query string ("" when none). in/in_size: a body to PUT; out: where a 2xx
 * body goes. */
static int request_q(fc_s3 *s, const char *method, const char *key, const char *query, FILE *in, uint64_t in_size,
		     const char *payload, FILE *out, call *k, fc_err *err)
{
	char raw[700], path[2100], url[5000], auth[512], amz[20], h_auth[600], h_date[64], h_sha[128], h_host[300];
	if (key)
		snprintf(raw, sizeof raw, "%s/%s/%s", s->prefix, s->bucket, key);
	else
		snprintf(raw, sizeof raw, "%s/%s", s->prefix, s->bucket);
	if (uri_encode(raw, path, sizeof path, 0))
		return fc_err_set(err, FC_EINVAL, "internal", NULL, "The object name is too long.");
	int uw = snprintf(url, sizeof url, "%.*s%s%s%s", (int)(strlen(s->base) - strlen(s->prefix)), s->base, path,
			  *query ? "?" : "", query);
	if (uw < 0 || (size_t)uw >= sizeof url)
		return fc_err_set(err, FC_EINVAL, "internal", NULL, "The storage request is too long.");
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(amz, sizeof amz, "%Y%m%dT%H%M%SZ", &tm);
	fc_sigv4_req r = {method, path, query, s->host, amz, payload, 1, s->region, "s3", s->access, s->secret};
	if (fc_sigv4_sign(&r, auth, sizeof auth, NULL, 0, NULL, 0))
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot sign the storage request.");
	snprintf(h_auth, sizeof h_auth, "Authorization: %s", auth);
	snprintf(h_date, sizeof h_date, "x-amz-date: %s", amz);
	snprintf(h_sha, sizeof h_sha, "x-amz-content-sha256: %s", payload);
	snprintf(h_host, sizeof h_host, "Host: %s", s->host);
	CURL *c = curl_easy_init();
	if (!c)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, h_host);
	h = curl_slist_append(h, h_auth);
	h = curl_slist_append(h, h_date);
	h = curl_slist_append(h, h_sha);
	h = curl_slist_append(h, "Expect:");
	memset(k, 0, sizeof *k);
	k->c = c;
	k->in = in;
	k->out = out;
	fc_outbound guard;
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (s->guarded)
		fc_outbound_guard(c, &guard);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L); /* a stalled transfer fails after a minute */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	if (!strcmp(method, "PUT")) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, k);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)in_size);
	} else if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	CURLcode cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &k->status);
	int rc = 0;
	if (cc != CURLE_OK && s->guarded && fc_outbound_refused(&guard)) {
		rc = fc_err_set(err, FC_EIO, "storage_address_refused", "endpoint", "The storage endpoint %s: %s.",
				s->host, fc_outbound_refused(&guard));
	} else if (cc != CURLE_OK) {
		fc_log(FC_LOG_ERROR, "s3 %s %s: %s", method, key, curl_easy_strerror(cc));
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "The file store did not answer.");
	} else if (!strcmp(method, "HEAD")) {
		curl_off_t len = -1;
		curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
		k->written = len > 0 ? (uint64_t)len : 0;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}

static int request(fc_s3 *s, const char *method, const char *key, FILE *in, uint64_t in_size, const char *payload,
		   FILE *out, call *k, fc_err *err)
{
	return request_q(s, method, key, "", in, in_size, payload, out, k, err);
}

static int bad_status(const char *method, const char *key, const call *k, fc_err *err)
{
	fc_log(FC_LOG_ERROR, "s3 %s %s: HTTP %ld %.300s", method, key, k->status, k->errbody);
	return fc_err_set(err, FC_EIO, "internal", NULL, "The file store refused the request (HTTP %ld).", k->status);
}

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

int fc_s3_put_file(fc_s3 *s, const char *key, const char *path, const char *payload_sha256, fc_err *err)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	if (!f || fstat(fileno(f), &sb)) {
		if (f)
			fclose(f);
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the uploaded file.");
	}
	call k;
	int rc = request(s, "PUT", key, f, (uint64_t)sb.st_size, payload_sha256 ? payload_sha256 : "UNSIGNED-PAYLOAD",
			 NULL, &k, err);
	fclose(f);
	if (!rc && (k.status < 200 || k.status >= 300))
		rc = bad_status("PUT", key, &k, err);
	return rc;
}

int fc_s3_get(fc_s3 *s, const char *key, FILE *to, uint64_t *size, fc_err *err)
{
	call k;
	int rc = request(s, "GET", key, NULL, 0, EMPTY_SHA256, to, &k, err);
	if (rc)
		return rc;
	if (k.status == 404)
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such file.");
	if (k.status < 200 || k.status >= 300)
		return bad_status("GET", key, &k, err);
	if (fflush(to))
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot write a temporary file.");
	if (size)
		*size = k.written;
	return 0;
}

int fc_s3_head(fc_s3 *s, const char *key, int *exists, uint64_t *size, fc_err *err)
{
	call k;
	int rc = request(s, "HEAD", key, NULL, 0, EMPTY_SHA256, NULL, &k, err);
	if (rc)
		return rc;
	if (k.status == 404) {
		*exists = 0;
		return 0;
	}
	if (k.status < 200 || k.status >= 300)
		return bad_status("HEAD", key, &k, err);
	*exists = 1;
	if (size)
		*size = k.written;
	return 0;
}

int fc_s3_delete(fc_s3 *s, const char *key, fc_err *err)
{
	call k;
	int rc = request(s, "DELETE", key, NULL, 0, EMPTY_SHA256, NULL, &k, err);
	if (rc)
		return rc;
	if (k.status == 404 || (k.status >= 200 && k.status < 300))
		return 0;
	return bad_status("DELETE", key, &k, err);
}

/* --- ListObjectsV2 ---------------------------------------------------------- */

/* The text of the first <tag>…</tag> in [p, end), entities decoded, into out;
 * *after (may be NULL) points past the closing tag. 0, or -1 when absent or
 * too long. */
static int xml_text(const char *p, const char *end, const char *tag, char *out, size_t n, const char **after)
{
	char open[64], close[64];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *a = p;
	size_t ol = strlen(open);
	while (a && a < end && strncmp(a, open, ol))
		a = memchr(a + 1, '<', (size_t)(end - a - 1));
	if (!a || a >= end)
		return -1;
	a += ol;
	const char *b = strstr(a, close);
	if (!b || b > end)
		return -1;
	size_t o = 0;
	for (const char *q = a; q < b; q++) {
		char c = *q;
		if (c == '&') {
			static const struct {
				const char *name;
				char c;
			} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
			size_t i, found = 0;
			for (i = 0; i < sizeof ents / sizeof ents[0] && !found; i++)
				if (!strncmp(q, ents[i].name, strlen(ents[i].name))) {
					c = ents[i].c;
					q += strlen(ents[i].name) - 1;
					found = 1;
				}
			if (!found && q[1] == '#') { /* &#NN; or &#xHH; (ASCII only: S3 escapes control characters) */
				char *e;
				long v = q[2] == 'x' ? strtol(q + 3, &e, 16) : strtol(q + 2, &e, 10);
				if (*e != ';' || v <= 0 || v > 127)
					return -1;
				c = (char)v;
				q = e;
			}
		}
		if (o + 1 >= n)
			return -1;
		out[o++] = c;
	}
	out[o] = 0;
	if (after)
		*after = b + strlen(close);
	return 0;
}

/* An error document's <Code>, or "" */
static void s3_code(const call *k, char code[64])
{
	if (xml_text(k->errbody, k->errbody + k->errlen, "Code", code, 64, NULL))
		code[0] = 0;
}

int fc_s3_list_page(fc_s3 *s, const char *prefix, const char *token, int max_keys, fc_s3_list_fn fn, void *ud,
		    char *next, size_t next_n, fc_err *err)
{
	/* the canonical query: parameters sorted by name, values encoded with '/' */
	char eprefix[2100] = "", etoken[3200] = "", query[5400];
	if (uri_encode(prefix ? prefix : "", eprefix, sizeof eprefix, 1) ||
	    uri_encode(token ? token : "", etoken, sizeof etoken, 1))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "prefix", "The prefix is too long.");
	snprintf(query, sizeof query, "%s%s%slist-type=2&max-keys=%d&prefix=%s", *etoken ? "continuation-token=" : "",
		 etoken, *etoken ? "&" : "", max_keys > 0 && max_keys <= 1000 ? max_keys : 1000, eprefix);
	char *body = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&body, &len);
	if (!out)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	call k;
	int rc = request_q(s, "GET", NULL, query, NULL, 0, EMPTY_SHA256, out, &k, err);
	if (fclose(out) && !rc)
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	char code[64];
	if (!rc && (k.status < 200 || k.status >= 300)) {
		s3_code(&k, code);
		fc_log(FC_LOG_WARN, "s3 list %s/%s: HTTP %ld %s", s->bucket, prefix ? prefix : "", k.status, code);
		if (k.status == 401 || k.status == 403)
			rc = fc_err_set(err, FC_EPERM, "storage_refused", NULL,
					"The storage refused these credentials for bucket %s (HTTP %ld%s%s).",
					s->bucket, k.status, *code ? " " : "", code);
		else if (k.status == 404)
			rc = fc_err_set(err, FC_ENOTFOUND, "storage_not_found", NULL,
					"The storage has no bucket %s (HTTP 404%s%s).", s->bucket, *code ? " " : "",
					code);
		else
			rc = fc_err_set(err, FC_EIO, "storage_failed", NULL,
					"The storage answered HTTP %ld%s%s to the listing of bucket %s.", k.status,
					*code ? " " : "", code, s->bucket);
	}
	const char *p = body, *end = body + len, *after;
	char key[1100], etag[200], size[32];
	while (!rc && p && p < end && (p = strstr(p, "<Contents>")) != NULL) {
		const char *stop = strstr(p, "</Contents>");
		if (!stop)
			break;
		if (xml_text(p, stop, "Key", key, sizeof key, NULL) || xml_text(p, stop, "Size", size, sizeof size, NULL))
			rc = fc_err_set(err, FC_EIO, "storage_failed", NULL, "The storage's listing is not understood.");
		if (!rc && xml_text(p, stop, "ETag", etag, sizeof etag, NULL))
			etag[0] = 0;
		char *e = etag; /* ETags come quoted */
		size_t el = strlen(e);
		if (el >= 2 && e[0] == '"' && e[el - 1] == '"') {
			memmove(e, e + 1, el - 2);
			e[el - 2] = 0;
		}
		if (!rc)
			rc = fn(ud, key, etag, strtoull(size, NULL, 10), err);
		p = stop + strlen("</Contents>");
	}
	next[0] = 0;
	char truncated[16];
	if (!rc && !xml_text(body, end, "IsTruncated", truncated, sizeof truncated, &after) &&
	    !strcmp(truncated, "true") && xml_text(body, end, "NextContinuationToken", next, next_n, NULL))
		rc = fc_err_set(err, FC_EIO, "storage_failed", NULL,
				"The storage's listing is truncated without a token.");
	free(body);
	return rc;
}
