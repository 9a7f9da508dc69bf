/* clock.h — the one source of "now".
 *
 * All domain code asks fc_clock_now(); with the test clock enabled an admin
 * can set it (API.md "Test clock"). Times are Unix seconds, UTC. */
#ifndef FC_CORE_CLOCK_H
#define FC_CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

int64_t fc_clock_now(void);
/* Pins the clock to t (test clock). t < 0 returns to the wall clock. */
void fc_clock_set(int64_t t);
/* Monotonic nanoseconds for measuring durations (never affected by set). */
uint64_t fc_clock_mono_ns(void);
/* Formats t as RFC 3339 UTC ("2026-11-25T08:40:00Z") into buf (>= 21 bytes). */
char *fc_clock_format(int64_t t, char *buf, size_t n);
/* Parses an RFC 3339 timestamp (Z or ±hh:mm offset, optional fraction).
 * Returns 0 and sets *t, or -1 when s is not a valid timestamp. */
int fc_clock_parse(const char *s, int64_t *t);

#endif
