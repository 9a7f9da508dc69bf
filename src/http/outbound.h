/* outbound.h — which addresses faircrowd's HTTP client may connect to when a
 * URL comes from a user (webhooks, ML backends and the task URLs they fetch,
 * requesters' S3 storage sources): a guard against server-side request
 * forgery.
 *
 * The check runs on the address libcurl is about to connect to (its
 * open-socket callback), after name resolution and for every connection of a
 * transfer, so a name that resolves differently later (DNS rebinding) or a
 * redirect cannot reach a refused address.
 *
 * Policies (FAIRCROWD_OUTBOUND, or fc_outbound_set_policy):
 *   "default" — refuses link-local addresses (169.254.0.0/16 and fe80::/10:
 *               cloud metadata services live there), unspecified, multicast
 *               and broadcast addresses; private networks and loopback are
 *               allowed (an ML backend beside the server is the usual set-up).
 *   "public"  — also refuses loopback, private (10/8, 172.16/12, 192.168/16,
 *               fc00::/7), shared (100.64/10) and reserved ranges: for an
 *               install where requesters are not trusted with the network. */
#ifndef FC_HTTP_OUTBOUND_H
#define FC_HTTP_OUTBOUND_H

#include <curl/curl.h>
#include <stddef.h>
#include <sys/socket.h>

typedef enum { FC_OUTBOUND_DEFAULT = 0, FC_OUTBOUND_PUBLIC = 1 } fc_outbound_policy;

/* Reads "default" or "public" (NULL or "" = default); -1 for other words. */
int fc_outbound_set_policy_name(const char *name);
void fc_outbound_set_policy(fc_outbound_policy p);
fc_outbound_policy fc_outbound_policy_now(void);

/* NULL when the policy allows addr, else why not (a static phrase such as
 * "a link-local address"). */
const char *fc_outbound_refusal(const struct sockaddr *addr, socklen_t len);

/* One guarded transfer: set with fc_outbound_guard before curl_easy_perform;
 * after a failed perform, fc_outbound_refused gives the reason a connection
 * was refused ("http://h/…: 169.254.169.254 is a link-local address…"), or
 * NULL when the failure was something else. */
typedef struct fc_outbound {
	char why[160];
} fc_outbound;

void fc_outbound_guard(CURL *c, fc_outbound *g);
const char *fc_outbound_refused(const fc_outbound *g);

#endif
