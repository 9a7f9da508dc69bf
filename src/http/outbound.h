/* outbound.h — which addresses faircrowd's HTTP client may connect to when a
 * URL comes from a user (webhooks, ML backends and the task URLs they fetch,
 * requesters' S3 storage sources): a guard against server-side request
 * forgery.
 *
 * The check runs on the address libcurl is about to connect to (its
 * open-socket callback), after name resolution and for every connection of a
 * transfer, so a name that resolves differently later (DNS rebinding) cannot
 * reach a refused address. Redirects are not followed: fc_outbound_guard
 * turns CURLOPT_FOLLOWLOCATION off, and a 3xx answer is the transfer's
 * answer (a caller that turned following on again would still have each
 * hop's connection judged by the same callback; tests/unit/test_outbound.c
 * checks both).
 *
 * Where a URL is stored for later (webhooks, ML backends, storage sources),
 * fc_outbound_url_refusal also judges it when it is given, so a refused
 * address is a 422 at once rather than a failed delivery later; the
 * connect-time check stays, since DNS answers change.
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

/* NULL when the policy may allow url, else why not, written into why (n
 * bytes): "169.254.169.254 is a link-local address (…), which this server
 * does not connect to". A host that is an address literal (any form libc
 * reads: 169.254.169.254, [::1], 2852039166) is judged as is; under
 * "public" a name is resolved and refused when every address it has is
 * refused (a name that does not resolve now passes: it is judged again at
 * each connection). A URL libcurl cannot parse passes too: its caller
 * checks the form. */
const char *fc_outbound_url_refusal(const char *url, char *why, size_t n);

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
