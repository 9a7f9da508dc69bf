#include "http/metrics.h"

#include <stdatomic.h>

#define MAX_ROUTES 256
/* status classes tracked per route: 2xx 3xx 4xx 5xx, plus common exact codes */
static const int codes[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503};
#define NCODES (sizeof codes / sizeof codes[0])
static _Atomic uint64_t counts[MAX_ROUTES + 1][NCODES + 1];
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NB (sizeof bounds / sizeof bounds[0])
static _Atomic uint64_t hist[NB + 1];
static _Atomic uint64_t hist_sum_us;
static _Atomic uint64_t hist_count;
static _Atomic int64_t open_conns;

void fc_metrics_request(int route_idx, int status, uint64_t ns)
{
	size_t ri = (route_idx < 0 || route_idx >= MAX_ROUTES) ? MAX_ROUTES : (size_t)route_idx;
	size_t ci = NCODES;
	for (size_t i = 0; i < NCODES; i++)
		if (codes[i] == status)
			ci = i;
	atomic_fetch_add(&counts[ri][ci], 1);
	double s = (double)ns / 1e9;
	size_t b = 0;
	while (b < NB && s > bounds[b])
		b++;
	atomic_fetch_add(&hist[b], 1);
	atomic_fetch_add(&hist_sum_us, ns / 1000);
	atomic_fetch_add(&hist_count, 1);
}

void fc_metrics_connection(int delta) { atomic_fetch_add(&open_conns, delta); }

void fc_metrics_render(fc_buf *o, const char *const *names, size_t n)
{
	fc_buf_puts(o, "# HELP faircrowd_http_requests_total HTTP requests by route and status.\n"
		       "# TYPE faircrowd_http_requests_total counter\n");
	for (size_t r = 0; r <= MAX_ROUTES; r++) {
		if (r < MAX_ROUTES && r >= n)
			continue;
		for (size_t c = 0; c <= NCODES; c++) {
			uint64_t v = atomic_load(&counts[r][c]);
			if (!v)
				continue;
			const char *name = r < n ? names[r] : "unmatched";
			if (c < NCODES)
				fc_buf_printf(o, "faircrowd_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
					      name, codes[c], (unsigned long long)v);
			else
				fc_buf_printf(o, "faircrowd_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
					      name, (unsigned long long)v);
		}
	}
	fc_buf_puts(o, "# HELP faircrowd_http_request_duration_seconds Time to answer a request.\n"
		       "# TYPE faircrowd_http_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (size_t b = 0; b < NB; b++) {
		cum += atomic_load(&hist[b]);
		fc_buf_printf(o, "faircrowd_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[b],
			      (unsigned long long)cum);
	}
	cum += atomic_load(&hist[NB]);
	fc_buf_printf(o, "faircrowd_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
	fc_buf_printf(o, "faircrowd_http_request_duration_seconds_sum %.6f\n", (double)atomic_load(&hist_sum_us) / 1e6);
	fc_buf_printf(o, "faircrowd_http_request_duration_seconds_count %llu\n",
		      (unsigned long long)atomic_load(&hist_count));
	fc_buf_printf(o,
		      "# HELP faircrowd_http_open_connections Open HTTP connections.\n"
		      "# TYPE faircrowd_http_open_connections gauge\n"
		      "faircrowd_http_open_connections %lld\n",
		      (long long)atomic_load(&open_conns));
}
