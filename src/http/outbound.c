/* outbound.c — see outbound.h. */
#include "http/outbound.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static _Atomic int policy = FC_OUTBOUND_DEFAULT;

void fc_outbound_set_policy(fc_outbound_policy p) { atomic_store(&policy, (int)p); }

fc_outbound_policy fc_outbound_policy_now(void) { return (fc_outbound_policy)atomic_load(&policy); }

int fc_outbound_set_policy_name(const char *name)
{
	if (!name || !*name || !strcmp(name, "default"))
		fc_outbound_set_policy(FC_OUTBOUND_DEFAULT);
	else if (!strcmp(name, "public"))
		fc_outbound_set_policy(FC_OUTBOUND_PUBLIC);
	else
		return -1;
	return 0;
}

/* a in network a0/bits (host order) */
static int in4(uint32_t a, uint32_t a0, int bits)
{
	uint32_t mask = bits ? 0xffffffffu << (32 - bits) : 0;
	return (a & mask) == (a0 & mask);
}

#define V4(x, y, z, w) (((uint32_t)(x) << 24) | ((uint32_t)(y) << 16) | ((uint32_t)(z) << 8) | (uint32_t)(w))

static const char *refuse4(uint32_t a, int pub)
{
	if (in4(a, V4(169, 254, 0, 0), 16))
		return "a link-local address (where cloud metadata services answer)";
	if (in4(a, V4(0, 0, 0, 0), 8))
		return "an unspecified address";
	if (in4(a, V4(224, 0, 0, 0), 4) || a == 0xffffffffu)
		return "a multicast or broadcast address";
	if (!pub)
		return NULL;
	if (in4(a, V4(127, 0, 0, 0), 8))
		return "a loopback address";
	if (in4(a, V4(10, 0, 0, 0), 8) || in4(a, V4(172, 16, 0, 0), 12) || in4(a, V4(192, 168, 0, 0), 16))
		return "a private-network address";
	if (in4(a, V4(100, 64, 0, 0), 10))
		return "a shared (carrier-grade NAT) address";
	if (in4(a, V4(192, 0, 0, 0), 24) || in4(a, V4(198, 18, 0, 0), 15) || in4(a, V4(240, 0, 0, 0), 4))
		return "a reserved address";
	return NULL;
}

static const char *refuse6(const uint8_t *b, int pub)
{
	static const uint8_t zero[16];
	/* IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an
	 * IPv4 address the connection ends up at: judge that one. */
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	if (!memcmp(b, mapped, 12) || !memcmp(b, nat64, 12))
		return refuse4(V4(b[12], b[13], b[14], b[15]), pub);
	if (!memcmp(b, zero, 16))
		return "an unspecified address";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "a link-local address (where cloud metadata services answer)";
	if (b[0] == 0xff)
		return "a multicast address";
	if (!pub)
		return NULL;
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return "a loopback address";
	if ((b[0] & 0xfe) == 0xfc)
		return "a private-network (unique local) address";
	if (!memcmp(b, zero, 12))
		return "a reserved address"; /* IPv4-compatible, deprecated */
	return NULL;
}

const char *fc_outbound_refusal(const struct sockaddr *addr, socklen_t len)
{
	int pub = fc_outbound_policy_now() == FC_OUTBOUND_PUBLIC;
	if (addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
		return refuse4(ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr), pub);
	if (addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6))
		return refuse6(((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr, pub);
	return "not an Internet address";
}

/* "<ip> is <why>, which this server does not connect to" into out. */
static void say(const struct sockaddr *a, const char *why, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	if (a->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, ip, sizeof ip);
	else if (a->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, ip, sizeof ip);
	snprintf(out, n, "%s is %s, which this server does not connect to", ip, why);
}

static curl_socket_t open_guarded(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	fc_outbound *g = ud;
	const char *why = fc_outbound_refusal(&a->addr, a->addrlen);
	if (why) {
		say(&a->addr, why, g->why, sizeof g->why);
		return CURL_SOCKET_BAD;
	}
	(void)purpose;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* NULL when some address of host is allowed (or host has none), else the
 * first refusal, written into why. */
static const char *judge_host(const char *host, int numeric, char *why, size_t n)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	hints.ai_flags = numeric ? AI_NUMERICHOST : 0;
	if (getaddrinfo(host, NULL, &hints, &res) || !res)
		return NULL;
	const char *first = NULL;
	int allowed = 0;
	for (struct addrinfo *r = res; r && !allowed; r = r->ai_next) {
		const char *w = fc_outbound_refusal(r->ai_addr, r->ai_addrlen);
		if (!w)
			allowed = 1;
		else if (!first) {
			first = w;
			say(r->ai_addr, w, why, n);
		}
	}
	freeaddrinfo(res);
	return allowed ? NULL : first ? why : NULL;
}

static int is_literal(const char *host)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_flags = AI_NUMERICHOST}, *res = NULL;
	int ok = !getaddrinfo(host, NULL, &hints, &res);
	if (res)
		freeaddrinfo(res);
	return ok;
}

const char *fc_outbound_url_refusal(const char *url, char *why, size_t n)
{
	CURLU *u = curl_url();
	char *h = NULL;
	const char *out = NULL;
	if (u && !curl_url_set(u, CURLUPART_URL, url, 0) && !curl_url_get(u, CURLUPART_HOST, &h, 0) && h) {
		char host[256];
		size_t len = strlen(h);
		if (len >= 2 && h[0] == '[' && h[len - 1] == ']') /* an IPv6 literal */
			snprintf(host, sizeof host, "%.*s", (int)(len - 2), h + 1);
		else
			snprintf(host, sizeof host, "%s", h);
		if (is_literal(host))
			out = judge_host(host, 1, why, n);
		else if (fc_outbound_policy_now() == FC_OUTBOUND_PUBLIC)
			out = judge_host(host, 0, why, n);
	}
	curl_free(h);
	curl_url_cleanup(u);
	return out;
}

void fc_outbound_guard(CURL *c, fc_outbound *g)
{
	g->why[0] = 0;
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_guarded);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, g);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* a 3xx is the answer */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
}

const char *fc_outbound_refused(const fc_outbound *g) { return g->why[0] ? g->why : NULL; }
