/* test_outbound.c — which addresses user-given URLs may reach (http/outbound.h). */
#include "http/outbound.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *judge(const char *ip)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	socklen_t len;
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, ip, &a->sin6_addr), 1, "%s", ip);
		len = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, ip, &a->sin_addr), 1, "%s", ip);
		len = sizeof *a;
	}
	return fc_outbound_refusal((struct sockaddr *)&ss, len);
}

/* each address: allowed under "default"?, under "public"? */
static const struct {
	const char *ip;
	int def, pub;
} cases[] = {
	{"169.254.169.254", 0, 0}, /* cloud metadata */
	{"169.254.0.1", 0, 0},
	{"0.0.0.0", 0, 0},
	{"224.0.0.1", 0, 0},
	{"255.255.255.255", 0, 0},
	{"127.0.0.1", 1, 0},
	{"127.8.9.10", 1, 0},
	{"10.1.2.3", 1, 0},
	{"172.16.0.1", 1, 0},
	{"172.31.255.255", 1, 0},
	{"172.32.0.1", 1, 1}, /* just past 172.16/12 */
	{"192.168.1.1", 1, 0},
	{"100.64.0.1", 1, 0},
	{"100.128.0.1", 1, 1},
	{"8.8.8.8", 1, 1},
	{"1.1.1.1", 1, 1},
	{"::", 0, 0},
	{"::1", 1, 0},
	{"fe80::1", 0, 0},
	{"febf::1", 0, 0},
	{"fec0::1", 1, 1}, /* not fe80::/10 */
	{"fd00::1", 1, 0},
	{"fc00::1", 1, 0},
	{"ff02::1", 0, 0},
	{"::ffff:169.254.169.254", 0, 0}, /* IPv4-mapped: judged as IPv4 */
	{"::ffff:127.0.0.1", 1, 0},
	{"::ffff:8.8.8.8", 1, 1},
	{"64:ff9b::a9fe:a9fe", 0, 0}, /* NAT64 of 169.254.169.254 */
	{"2001:4860:4860::8888", 1, 1},
};

Test(outbound, each_policy_refuses_its_ranges)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fc_outbound_set_policy(FC_OUTBOUND_DEFAULT);
		const char *d = judge(cases[i].ip);
		cr_expect_eq(d == NULL, cases[i].def, "default policy, %s: %s", cases[i].ip, d ? d : "allowed");
		fc_outbound_set_policy(FC_OUTBOUND_PUBLIC);
		const char *p = judge(cases[i].ip);
		cr_expect_eq(p == NULL, cases[i].pub, "public policy, %s: %s", cases[i].ip, p ? p : "allowed");
	}
	fc_outbound_set_policy(FC_OUTBOUND_DEFAULT);
}

Test(outbound, policy_names)
{
	cr_expect_eq(fc_outbound_set_policy_name("public"), 0);
	cr_expect_eq(fc_outbound_policy_now(), FC_OUTBOUND_PUBLIC);
	cr_expect_eq(fc_outbound_set_policy_name("Public"), -1, "exact words only");
	cr_expect_eq(fc_outbound_policy_now(), FC_OUTBOUND_PUBLIC, "a refused word changes nothing");
	cr_expect_eq(fc_outbound_set_policy_name(""), 0);
	cr_expect_eq(fc_outbound_policy_now(), FC_OUTBOUND_DEFAULT);
	cr_expect_eq(fc_outbound_set_policy_name(NULL), 0);
	cr_expect_eq(fc_outbound_set_policy_name("open"), -1);
	cr_expect_eq(fc_outbound_set_policy_name("default"), 0);
}

/* Through libcurl: the guard refuses at connect time and says why; an allowed
 * address goes on to connect (port 1 on loopback: nobody listens). */
static CURLcode fetch(const char *url, fc_outbound *g)
{
	CURL *c = curl_easy_init();
	cr_assert(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 2L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	fc_outbound_guard(c, g);
	CURLcode cc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	return cc;
}

Test(outbound, curl_transfers_are_guarded_at_connect)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fc_outbound g;
	fc_outbound_set_policy(FC_OUTBOUND_DEFAULT);
	cr_expect_neq(fetch("http://169.254.169.254/latest/meta-data/", &g), CURLE_OK);
	cr_assert(fc_outbound_refused(&g));
	cr_expect(strstr(fc_outbound_refused(&g), "169.254.169.254 is a link-local address"), "%s",
		  fc_outbound_refused(&g));

	cr_expect_neq(fetch("http://127.0.0.1:1/", &g), CURLE_OK, "nobody listens on port 1");
	cr_expect_null(fc_outbound_refused(&g), "loopback is allowed by default: %s", fc_outbound_refused(&g));

	fc_outbound_set_policy(FC_OUTBOUND_PUBLIC);
	cr_expect_neq(fetch("http://127.0.0.1:1/", &g), CURLE_OK);
	cr_assert(fc_outbound_refused(&g));
	cr_expect(strstr(fc_outbound_refused(&g), "127.0.0.1 is a loopback address"), "%s", fc_outbound_refused(&g));
	/* a name is judged by the address it resolves to */
	cr_expect_neq(fetch("http://localhost:1/", &g), CURLE_OK);
	cr_expect(fc_outbound_refused(&g), "localhost resolves to loopback");

	cr_expect_neq(fetch("ftp://8.8.8.8/", &g), CURLE_OK, "only http and https");
	cr_expect_null(fc_outbound_refused(&g));
	fc_outbound_set_policy(FC_OUTBOUND_DEFAULT);
	curl_global_cleanup();
}

/* A redirector on loopback: answers each of its connections with a 302 to
 * the cloud metadata address. */
typedef struct {
	int fd, port;
	_Atomic int served;
} redirector;

static void *redirect_loop(void *arg)
{
	redirector *r = arg;
	for (;;) {
		int c = accept(r->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		char buf[2048];
		(void)!read(c, buf, sizeof buf);
		static const char ans[] = "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\n"
					  "Content-Length: 0\r\nConnection: close\r\n\r\n";
		r->served++;
		(void)!write(c, ans, sizeof ans - 1);
		close(c);
	}
}

Test(outbound, redirects_are_not_followed_and_a_followed_hop_is_still_judged)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fc_outbound_set_policy(FC_OUTBOUND_DEFAULT);
	redirector r = {.fd = socket(AF_INET, SOCK_STREAM, 0)};
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	cr_assert(r.fd >= 0 && !bind(r.fd, (struct sockaddr *)&a, sizeof a) && !listen(r.fd, 4) &&
		  !getsockname(r.fd, (struct sockaddr *)&a, &len));
	r.port = ntohs(a.sin_port);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, redirect_loop, &r), 0);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", r.port);

	/* as every caller uses it: the 302 is the answer, nothing follows it */
	fc_outbound g;
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L); /* the guard turns it off */
	fc_outbound_guard(c, &g);
	cr_expect_eq(curl_easy_perform(c), CURLE_OK);
	long code = 0, redirects = -1;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &redirects);
	cr_expect_eq(code, 302);
	cr_expect_eq(redirects, 0);
	cr_expect_null(fc_outbound_refused(&g));

	/* a caller that turns following on again: the hop's connection is refused */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	cr_expect_neq(curl_easy_perform(c), CURLE_OK);
	cr_assert(fc_outbound_refused(&g), "the hop to 169.254.169.254 was not judged");
	cr_expect(strstr(fc_outbound_refused(&g), "169.254.169.254 is a link-local address"), "%s",
		  fc_outbound_refused(&g));
	curl_easy_cleanup(c);
	cr_expect_eq(r.served, 2);
	shutdown(r.fd, SHUT_RDWR);
	close(r.fd);
	pthread_join(th, NULL);
	curl_global_cleanup();
}

/* The check when a URL is given (webhooks, ML backends, storage sources). */
Test(outbound, urls_are_judged_when_given)
{
	char why[200];
	fc_outbound_set_policy(FC_OUTBOUND_DEFAULT);
	const char *w = fc_outbound_url_refusal("http://169.254.169.254/latest/meta-data/", why, sizeof why);
	cr_assert(w);
	cr_expect_str_eq(w, "169.254.169.254 is a link-local address (where cloud metadata services answer), which "
			    "this server does not connect to");
	cr_expect(fc_outbound_url_refusal("http://2852039166/", why, sizeof why), "the same address as one number");
	cr_expect(fc_outbound_url_refusal("https://[fe80::1]:8443/x", why, sizeof why));
	cr_expect(fc_outbound_url_refusal("http://[::ffff:169.254.169.254]/", why, sizeof why));
	cr_expect_null(fc_outbound_url_refusal("http://127.0.0.1:9090/", why, sizeof why), "%s", why);
	cr_expect_null(fc_outbound_url_refusal("http://localhost:9090/", why, sizeof why), "%s", why);
	cr_expect_null(fc_outbound_url_refusal("not a url", why, sizeof why));

	fc_outbound_set_policy(FC_OUTBOUND_PUBLIC);
	w = fc_outbound_url_refusal("http://127.0.0.1:9090/", why, sizeof why);
	cr_expect(w && strstr(w, "127.0.0.1 is a loopback address"), "%s", w ? w : "allowed");
	w = fc_outbound_url_refusal("http://localhost:9090/", why, sizeof why);
	cr_expect(w && strstr(w, "a loopback address"), "localhost resolves only to loopback: %s", w ? w : "allowed");
	cr_expect(fc_outbound_url_refusal("https://10.0.0.7/", why, sizeof why));
	cr_expect(fc_outbound_url_refusal("https://[fd00::1]/", why, sizeof why));
	cr_expect_null(fc_outbound_url_refusal("https://8.8.8.8/", why, sizeof why), "%s", why);
	cr_expect_null(fc_outbound_url_refusal("https://no-such-name.invalid/", why, sizeof why),
		       "a name without addresses now is judged at connect time");
	fc_outbound_set_policy(FC_OUTBOUND_DEFAULT);
}
