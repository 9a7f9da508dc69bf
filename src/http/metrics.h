/* metrics.h — Prometheus counters for the HTTP server. Lock-free atomics. */
#ifndef FC_HTTP_METRICS_H
#define FC_HTTP_METRICS_H

#include "core/buf.h"
#include <stddef.h>
#include <stdint.h>

/* Records one finished request. route_idx < 0 for unmatched paths. */
void fc_metrics_request(int route_idx, int status, uint64_t duration_ns);
void fc_metrics_connection(int delta);
/* Renders every metric in Prometheus text format. route names are the
 * route table's names (n of them). */
void fc_metrics_render(fc_buf *out, const char *const *route_names, size_t n);

#endif
