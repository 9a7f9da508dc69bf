#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/spool.h"
#include "http/router.h"
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(clock, parse_and_format_round_trip)
{
	int64_t t;
	cr_assert_eq(fc_clock_parse("2026-11-25T08:40:00Z", &t), 0);
	cr_expect_eq(t, 1795596000);
	char buf[32];
	cr_expect_str_eq(fc_clock_format(t, buf, sizeof buf), "2026-11-25T08:40:00Z");
	cr_assert_eq(fc_clock_parse("1970-01-01T00:00:00Z", &t), 0);
	cr_expect_eq(t, 0);
	cr_assert_eq(fc_clock_parse("2024-02-29T23:59:59.123+01:30", &t), 0);
	cr_expect_str_eq(fc_clock_format(t, buf, sizeof buf), "2024-02-29T22:29:59Z");
}

Test(clock, parse_rejects_bad_times)
{
	int64_t t;
	const char *bad[] = {"",
			     "2026-11-25",
			     "2026-13-01T00:00:00Z",
			     "2023-02-29T00:00:00Z",
			     "2026-11-25T24:00:00Z",
			     "2026-11-25T08:40:00",
			     "2026-11-25T08:40:00Zjunk",
			     "2026-11-25T08:40:00+5:00",
			     "yesterday",
			     "2026-04-31T00:00:00Z"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(fc_clock_parse(bad[i], &t), -1, "accepted '%s'", bad[i]);
}

Test(clock, pinning)
{
	fc_clock_set(1000);
	cr_expect_eq(fc_clock_now(), 1000);
	fc_clock_set(-1);
	cr_expect_gt(fc_clock_now(), 1700000000);
}

Test(buf, json_string_escapes)
{
	fc_buf b = {0};
	fc_buf_json_str(&b, "a\"b\\c\n\x01");
	cr_expect_str_eq(b.p, "\"a\\\"b\\\\c\\n\\u0001\"");
	fc_buf_free(&b);
}

static const fc_field FIELDS[] = {{"title", FC_J_STRING | FC_J_REQUIRED},
				  {"n", FC_J_INT},
				  {"when", FC_J_TIME | FC_J_NULLABLE},
				  {0}};

static int check(const char *txt, fc_err *err)
{
	json_t *j = json_loads(txt, 0, NULL);
	cr_assert(j, "%s", txt);
	int rc = fc_json_check(j, FIELDS, err);
	json_decref(j);
	return rc;
}

Test(json, check_fields)
{
	fc_err e = {0};
	cr_expect_eq(check("{\"title\":\"x\",\"n\":3,\"when\":null}", &e), 0);
	cr_expect_eq(check("{\"n\":3}", &e), FC_EINVAL);
	cr_expect_str_eq(e.slug, "missing_field");
	cr_expect_str_eq(e.field, "title");
	cr_expect_eq(check("{\"title\":\"x\",\"n\":3.5}", &e), FC_EINVAL);
	cr_expect_str_eq(e.slug, "invalid_type");
	cr_expect_str_eq(e.field, "n");
	cr_expect_eq(check("{\"title\":\"x\",\"extra\":1}", &e), FC_EINVAL);
	cr_expect_str_eq(e.slug, "unknown_field");
	cr_expect_eq(check("{\"title\":\"x\",\"when\":\"soon\"}", &e), FC_EINVAL);
	cr_expect_str_eq(e.field, "when");
	cr_expect_eq(check("[]", &e), FC_EINVAL);
	fc_err_clear(&e);
}

Test(json, parse_reports_position)
{
	fc_err e = {0};
	json_t *j = fc_json_parse("{\"a\":", 5, &e);
	cr_expect_null(j);
	cr_expect_str_eq(e.slug, "invalid_json");
	cr_expect(strstr(e.msg, "line 1"));
	cr_expect_null(fc_json_parse("{\"a\":1,\"a\":2}", 13, &e), "duplicate keys are refused");
	cr_expect_null(fc_json_parse(NULL, 0, &e));
}

static void noop(fc_req *r) { (void)r; }

Test(router, match_params_and_methods)
{
	static const fc_route routes[] = {
		{"GET", "/api/v1/projects", noop, 0, 0, 0, "list"},
		{"GET", "/api/v1/projects/{id}", noop, 0, 0, 0, "get"},
		{"POST", "/api/v1/projects/{id}/tasks", noop, 0, 0, 0, "tasks"},
	};
	fc_req r;
	memset(&r, 0, sizeof r);
	int mm;
	const fc_route *rt = fc_router_match(routes, 3, "GET", "/api/v1/projects/42", &r, &mm);
	cr_assert(rt);
	cr_expect_str_eq(rt->name, "get");
	cr_expect_eq(r.ids[0], 42);
	free((void *)r.params[0]);
	memset(&r, 0, sizeof r);
	rt = fc_router_match(routes, 3, "GET", "/api/v1/projects/x1", &r, &mm);
	cr_assert(rt);
	cr_expect_eq(r.ids[0], -1, "a non-numeric id parses as -1");
	free((void *)r.params[0]);
	memset(&r, 0, sizeof r);
	cr_expect_null(fc_router_match(routes, 3, "DELETE", "/api/v1/projects/1", &r, &mm));
	cr_expect_eq(mm, 1);
	cr_expect_null(fc_router_match(routes, 3, "GET", "/api/v1/projects/1/", &r, &mm));
	cr_expect_eq(mm, 0);
	cr_expect_null(fc_router_match(routes, 3, "GET", "/api/v1/projects//tasks", &r, &mm));
	for (int i = 0; i < FC_MAX_PARAMS; i++)
		free((void *)r.params[i]);
}

Test(json, depth_counts_containers_and_stops_past_the_limit)
{
	json_t *v = json_loads("{\"a\":[1,{\"b\":[[]]}],\"c\":2}", 0, NULL);
	cr_assert(v);
	cr_expect_eq(fc_json_depth(v, 64), 5); /* {} [] {} [] [] */
	cr_expect_eq(fc_json_depth(v, 3), 4, "counted no further than limit + 1");
	json_decref(v);
	json_t *s = json_integer(7), *e = json_array();
	cr_expect_eq(fc_json_depth(s, 64), 0);
	cr_expect_eq(fc_json_depth(e, 64), 1);
	json_decref(s);
	json_decref(e);
	/* 2,000 levels: counted only to the limit */
	json_t *deep = json_array(), *top = deep;
	for (int i = 0; i < 2000; i++) {
		json_t *inner = json_array();
		json_array_append_new(deep, inner);
		deep = inner;
	}
	cr_expect_eq(fc_json_depth(top, 64), 65);
	json_decref(top);
}

/* Writes total bytes (a pattern) through a spool in pieces of step, then
 * checks the hash against the bytes read back and the file's length. */
static void spool_round_trip(uint64_t total, size_t step, uint64_t expect)
{
	char path[] = "/tmp/fc-spool-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	unlink(path);
	fc_spool *s = fc_spool_new(fd, expect);
	cr_assert_not_null(s);
	unsigned char *buf = malloc(step);
	for (uint64_t done = 0; done < total;) {
		size_t n = total - done < step ? (size_t)(total - done) : step;
		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)((done + i) * 2654435761u >> 13);
		cr_assert_eq(fc_spool_write(s, buf, n), 0);
		done += n;
	}
	cr_expect_eq(fc_spool_size(s), total);
	char got[65], want[65];
	cr_assert_eq(fc_spool_finish(s, got), 0);
	unsigned char *all = malloc(total ? total : 1);
	cr_assert_eq(pread(fd, all, total, 0), (ssize_t)total);
	cr_expect_eq(lseek(fd, 0, SEEK_END), (off_t)total);
	fc_crypto_sha256_hex(all, total, want);
	cr_expect_str_eq(got, want, "%llu bytes in pieces of %zu", (unsigned long long)total, step);
	free(all);
	free(buf);
	close(fd);
}

Test(spool, hashes_in_line_and_in_its_thread_the_bytes_on_disk)
{
	spool_round_trip(0, 1000, 0);
	spool_round_trip(100000, 32749, 0);                                                /* small: hashed in line */
	spool_round_trip(FC_SPOOL_THREAD_MIN + 12345, 65521, FC_SPOOL_THREAD_MIN + 12345); /* a second thread */
	spool_round_trip(3 * FC_SPOOL_FLUSH_BYTES + 7, 1 << 20, 0); /* write-back started on the way */
	spool_round_trip(1000, 7, FC_SPOOL_THREAD_MIN);             /* a Content-Length that lied: short */
}

Test(spool, a_failed_write_is_its_errno_and_free_stops_the_thread)
{
	int fd = open("/dev/null", O_RDONLY);
	fc_spool *s = fc_spool_new(fd, 0);
	cr_expect_eq(fc_spool_write(s, "abc", 3), EBADF, "a descriptor not open for writing");
	fc_spool_free(s);
	close(fd);
	char path[] = "/tmp/fc-spool-XXXXXX";
	fd = mkstemp(path);
	unlink(path);
	s = fc_spool_new(fd, FC_SPOOL_THREAD_MIN);
	cr_assert_eq(fc_spool_write(s, "abc", 3), 0);
	fc_spool_free(s); /* abandoned mid-way: the thread is joined, nothing leaks */
	cr_expect_eq(fc_spool_finish(NULL, (char[65]){0}), ENOMEM);
	close(fd);
}
