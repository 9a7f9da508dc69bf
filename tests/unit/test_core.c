#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/spool.h"
#include "http/router.h"
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
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

/* Sizes around the 4 KiB grid, the buffers' and the write-back's edges,
 * through the piped spool (a Content-Length of at least FC_SPOOL_THREAD_MIN
 * that may lie: a body can end short of it). */
static const uint64_t piped_sizes[] = {0,
				       1,
				       4095,
				       4096,
				       4097,
				       FC_SPOOL_BUFFER - 1,
				       FC_SPOOL_BUFFER,
				       FC_SPOOL_BUFFER + 1,
				       FC_SPOOL_FLUSH_BYTES - 1,
				       FC_SPOOL_FLUSH_BYTES,
				       FC_SPOOL_FLUSH_BYTES + 1,
				       2 * FC_SPOOL_BUFFER - 1,
				       2 * FC_SPOOL_BUFFER + 1,
				       3 * FC_SPOOL_BUFFER + 4095,
				       3 * FC_SPOOL_BUFFER + 4096,
				       3 * FC_SPOOL_BUFFER + 4097,
				       FC_SPOOL_THREAD_MIN + 4097};

static void piped_edges(int mode)
{
	fc_spool_test_direct(mode);
	for (size_t i = 0; i < sizeof piped_sizes / sizeof *piped_sizes; i++) {
		spool_round_trip(piped_sizes[i], 65521, FC_SPOOL_THREAD_MIN);
		spool_round_trip(piped_sizes[i], FC_SPOOL_BUFFER, FC_SPOOL_THREAD_MIN); /* whole buffers at once */
	}
	spool_round_trip(FC_SPOOL_BUFFER + 3, 1, FC_SPOOL_THREAD_MIN); /* byte by byte */
	fc_spool_test_direct(0);
}

Test(spool, piped_with_o_direct_round_trips_every_size_byte_exact) { piped_edges(0); }

Test(spool, piped_without_o_direct_when_fcntl_refuses_it) { piped_edges(1); }

Test(spool, piped_falls_back_when_the_first_direct_write_is_refused) { piped_edges(2); }

/* O_DIRECT really used where the file system takes it: the written pages
 * are not in the page cache; and the descriptor is handed back without it. */
Test(spool, direct_writes_skip_the_page_cache_and_the_flag_is_cleared)
{
	char path[] = "/tmp/fc-spool-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	unlink(path);
	int probe = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_DIRECT);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT);
	fc_spool *s = fc_spool_new(fd, FC_SPOOL_THREAD_MIN);
	size_t n = 3 * FC_SPOOL_BUFFER + 100;
	unsigned char *buf = calloc(1, n);
	cr_assert_eq(fc_spool_write(s, buf, n), 0);
	char hex[65];
	cr_assert_eq(fc_spool_finish(s, hex), 0);
	cr_expect_eq(fcntl(fd, F_GETFL) & O_DIRECT, 0);
	cr_expect_eq(lseek(fd, 0, SEEK_CUR), (off_t)n, "the offset is at the end, as after write()");
	struct statfs fs;
	cr_assert_eq(fstatfs(fd, &fs), 0);
	if (probe == 0 && fs.f_type != TMPFS_MAGIC) { /* tmpfs takes O_DIRECT but is all page cache */
		void *m = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
		cr_assert_neq(m, MAP_FAILED);
		unsigned char vec[1];
		cr_assert_eq(mincore((char *)m + FC_SPOOL_BUFFER, 4096, vec), 0);
		cr_expect_eq(vec[0] & 1, 0, "the second buffer went around the page cache");
		cr_assert_eq(mincore((char *)m + 2 * FC_SPOOL_BUFFER, 4096, vec), 0);
		cr_expect_eq(vec[0] & 1, 0, "and the third");
		cr_assert_eq(mincore(m, 4096, vec), 0);
		cr_expect_eq(vec[0] & 1, 1, "the first is in the page cache, for what reads it next");
		munmap(m, n);
	}
	free(buf);
	close(fd);
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
	/* piped: the second thread's error comes back from a later write or
	 * from finish, and a writer waiting for a buffer is not left hanging */
	fd = open("/dev/null", O_RDONLY);
	s = fc_spool_new(fd, FC_SPOOL_THREAD_MIN);
	unsigned char *big = calloc(1, FC_SPOOL_BUFFER);
	int e = 0;
	for (int i = 0; i < 8 && !e; i++)
		e = fc_spool_write(s, big, FC_SPOOL_BUFFER);
	cr_expect_eq(e, EBADF);
	cr_expect_eq(fc_spool_finish(s, (char[65]){0}), EBADF);
	s = fc_spool_new(fd, FC_SPOOL_THREAD_MIN);
	cr_assert_eq(fc_spool_write(s, big, 10), 0);
	cr_expect_eq(fc_spool_finish(s, (char[65]){0}), EBADF, "the final buffer's error");
	free(big);
	close(fd);
}
