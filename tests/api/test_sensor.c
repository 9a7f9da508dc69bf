/* Sensor recordings (collect.media "sensor"): CSV uploads made here, checked
 * for format, timestamps, rate, length and sensors; served back for a
 * TimeSeries labelling project, whose ranges are checked against the
 * stored file's time column. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ABS(x) ((x) < 0 ? -(x) : (x))

static srv S;
static void up(void) { suite_with_users(&S, 3); }
static void down(void) { srv_stop(&S); }
TestSuite(sensor, .init = up, .fini = down, .timeout = 180);

/* A recording of seconds at hz: t, then accelerometer (and gyroscope when
 * gyro); ms: the time in milliseconds (t_ms). Free the result. */
static char *make_csv(double hz, double seconds, int gyro, int ms, size_t *len)
{
	size_t cap = 256 + (size_t)(hz * seconds + 2) * 160;
	char *b = malloc(cap);
	cr_assert(b);
	size_t n = (size_t)snprintf(b, cap, "%s,ax,ay,az%s\n", ms ? "t_ms" : "t", gyro ? ",gx,gy,gz" : "");
	int rows = (int)(hz * seconds) + 1;
	for (int i = 0; i < rows; i++) {
		double t = i / hz;
		n += (size_t)snprintf(b + n, cap - n, "%.3f,%.4f,%.4f,%.4f", ms ? t * 1000 : t, (i % 17) * 0.1,
				      (i % 11) * -0.2, 9.81 + (i % 5) * 0.01);
		if (gyro)
			n += (size_t)snprintf(b + n, cap - n, ",%.3f,%.3f,%.3f", (i % 7) * 4.0, (i % 9) * -3.0, t);
		b[n++] = '\n';
	}
	b[n] = 0;
	*len = n;
	return b;
}

static json_t *spec(void)
{
	return json_pack("{s:s,s:[s,s],s:i,s:i,s:i,s:i}", "media", "sensor", "sensors", "accelerometer", "gyroscope",
			 "min_hz", 25, "min_seconds", 2, "max_seconds", 30, "max_bytes", 200000);
}

static long long project(json_t *collect)
{
	char tasks[4096];
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:o,s:i,s:i,s:s}", "title", "Walk, then sit", "kind", "collection",
				      "collect", collect, "reward", 5, "overlap", 1, "instructions",
				      "Hold the phone and do what the prompt says."),
			    ndjson_lines(tasks, sizeof tasks, "{\"activity\":\"Walk ten steps (%d), then stand.\"}\n", 4),
			    1000000);
}

static res upload(long long aid, const char *token, const char *ctype, const char *body, size_t len)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/media", aid);
	return http(&S, "POST", path, token, ctype, body, len, NULL);
}

static long get_status(const char *path, const char *token)
{
	res r = http(&S, "GET", path, token, NULL, NULL, 0, NULL);
	long status = r.status;
	res_free(&r);
	return status;
}

/* A new live project's first assignment, leased by c[0]. */
static long long leased(void) { return lease_ok(&S, project(spec()), S.c[0]); }

static int has_detail(json_t *j, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(jget(j, "error.details"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "code")), code))
			return 1;
	return 0;
}

/* Uploads text and expects 422 with detail code. */
static void refused(long long aid, const char *text, const char *code)
{
	res r = upload(aid, S.c[0], "text/csv", text, strlen(text));
	cr_expect_eq(r.status, 422, "%s: %s", code, r.body);
	cr_expect(has_detail(r.json, code), "want %s: %s", code, r.body);
	res_free(&r);
}

Test(sensor, spec_is_validated)
{
	res r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:{s:s,s:[s]}}", "title", "x", "kind",
		    "collection", "collect", "media", "sensor", "sensors", "barometer");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "collect.sensors", "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:{s:s,s:i}}", "title", "x", "kind", "collection",
		"collect", "media", "sensor", "min_hz", 0);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "collect.min_hz", "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:{s:s}}", "title", "x", "kind", "collection",
		"collect", "media", "smell");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message"), "'sensor'"), "%s", r.body);
	res_free(&r);
}

Test(sensor, bad_files_are_refused_with_every_failed_check)
{
	long long aid = leased();
	/* garbage: text that is no recording, and binary bytes */
	refused(aid, "hello world\nthis is not csv\n", "bad_csv");
	char bin[300];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (char)(i * 37 + 11);
	res r = upload(aid, S.c[0], "application/octet-stream", bin, sizeof bin);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(has_detail(r.json, "bad_csv"), "%s", r.body);
	res_free(&r);
	refused(aid, "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n0.1,1,2,x,4,5,6\n", "bad_csv");
	refused(aid, "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n0.1,1,2,3,4,5\n", "bad_csv");
	refused(aid, "t,ax,ay,az,ax\n0,1,2,3,4\n", "bad_csv");
	refused(aid, "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\nnan,1,2,3,4,5,6\n", "bad_csv");
	/* time going backwards (and standing still) */
	refused(aid, "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n0.02,1,2,3,4,5,6\n0.01,1,2,3,4,5,6\n", "not_monotonic");
	refused(aid, "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n0.02,1,2,3,4,5,6\n0.02,1,2,3,4,5,6\n", "not_monotonic");
	/* too slow a rate: 10 Hz for 5 s (min_hz 25) */
	size_t len;
	char *slow = make_csv(10, 5, 1, 0, &len);
	r = upload(aid, S.c[0], "text/csv", slow, len);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "sensor_rate_low", "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "sample_rate", "%s", r.body);
	res_free(&r);
	free(slow);
	/* too short, too slow and no gyroscope: three checks listed at once */
	char *bad = make_csv(5, 1, 0, 0, &len);
	r = upload(aid, S.c[0], "text/csv", bad, len);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(has_detail(r.json, "too_short") && has_detail(r.json, "sensor_rate_low") &&
			  has_detail(r.json, "sensor_missing"),
		  "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "error.details")), 3, "%s", r.body);
	res_free(&r);
	free(bad);
	/* one reading: too short once (min_seconds), and nothing to measure a rate on */
	r = upload(aid, S.c[0], "text/csv", "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n", 34);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "error.details")), 1, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "too_short", "%s", r.body);
	res_free(&r);
	/* too long */
	char *lng = make_csv(30, 40, 1, 0, &len);
	r = upload(aid, S.c[0], "text/csv", lng, len);
	cr_expect(r.status == 422 || r.status == 413, "%s", r.body);
	res_free(&r);
	free(lng);
	/* oversize: beyond max_bytes → 413 before the checks */
	char *big = calloc(1, 300000);
	memset(big, '1', 299999);
	r = upload(aid, S.c[0], "text/csv", big, 299999);
	cr_expect_eq(r.status, 413, "%s", r.body);
	res_free(&r);
	free(big);
	/* a declared type that is no CSV */
	char *ok = make_csv(50, 3, 1, 0, &len);
	r = upload(aid, S.c[0], "audio/wav", ok, len);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(has_detail(r.json, "content_type_mismatch"), "%s", r.body);
	res_free(&r);
	free(ok);
}

Test(sensor, good_recording_is_stored_submitted_served_and_private)
{
	long long aid = leased();
	size_t len;
	char *csv = make_csv(50, 4, 1, 1, &len); /* t_ms */
	/* someone else's assignment: 404 */
	res r = upload(aid, S.c[1], "text/csv", csv, len);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = upload(aid, S.c[0], "text/csv; charset=utf-8", csv, len);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "probe.format"), "csv");
	cr_expect_str_eq(jstr(r.json, "probe.mime"), "text/csv");
	double dur = json_number_value(jget(r.json, "probe.duration_seconds"));
	cr_expect(ABS(dur - 4) < 0.01, "duration %f", dur);
	double hz = json_number_value(jget(r.json, "checks.sample_hz"));
	cr_expect(ABS(hz - 50) < 0.5, "hz %f", hz);
	cr_expect_eq(jint(r.json, "checks.samples"), 201);
	cr_expect_eq(json_array_size(jget(r.json, "checks.columns")), 6);
	long long mid = jint(r.json, "id");
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
	r = api(&S, "POST", path, S.c[0], "{s:I,s:i}", "media_id", (json_int_t)mid, "active_seconds", 20);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "result.0.type"), "sensor", "%s", r.body);
	res_free(&r);
	/* served as CSV to the owner and the uploader, to nobody else */
	snprintf(path, sizeof path, "/api/v1/media/%lld", mid);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200);
	char ct[128];
	cr_expect(strstr(res_header(&r, "Content-Type", ct, sizeof ct), "text/csv"), "%s", ct);
	cr_expect(r.len == len && !memcmp(r.body, csv, len), "the bytes as uploaded");
	res_free(&r);
	cr_expect_eq(get_status(path, S.c[0]), 200);
	cr_expect_eq(get_status(path, S.c[1]), 404);
	free(csv);
}

/* A TimeSeries project over accepted recordings: "csv": "/api/v1/media/ID";
 * a range past the end of the stored file → 400 naming the field. */
Test(sensor, time_series_over_a_stored_recording_checks_the_range)
{
	long long aid = leased();
	size_t len;
	char *csv = make_csv(40, 6, 1, 0, &len);
	res r = upload(aid, S.c[0], "text/csv", csv, len);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long mid = jint(r.json, "id");
	res_free(&r);
	free(csv);
	const char *cfg = "<View><TimeSeries name=\"ts\" value=\"$csv\" valueType=\"url\" timeColumn=\"t\">"
			  "<Channel column=\"ax\"/><Channel column=\"ay\"/></TimeSeries>"
			  "<TimeSeriesLabels name=\"l\" toName=\"ts\"><Label value=\"Walk\"/></TimeSeriesLabels></View>";
	char task[128];
	snprintf(task, sizeof task, "{\"csv\":\"/api/v1/media/%lld\"}\n{\"csv\":\"https://example.org/x.csv\"}\n", mid);
	long long ts = project_live(&S, S.req,
				    json_pack("{s:s,s:s,s:i,s:i}", "title", "Label walking", "label_config", cfg,
					      "reward", 5, "overlap", 1),
				    task, 100000);
	for (int round = 0; round < 2; round++) {
		r = lease(&S, ts, S.c[1]);
		cr_assert_eq(r.status, 201, "%s", r.body);
		long long a = jint(r.json, "id");
		int stored = strstr(r.body, "/api/v1/media/") != NULL;
		res_free(&r);
		char path[96];
		snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", a);
		const char *past =
			"[{\"id\":\"w\",\"from_name\":\"l\",\"to_name\":\"ts\",\"type\":\"timeserieslabels\","
			"\"value\":{\"start\":1,\"end\":7.5,\"instant\":false,\"timeserieslabels\":[\"Walk\"]}}]";
		char body[512];
		snprintf(body, sizeof body, "{\"result\":%s,\"active_seconds\":10}", past);
		r = http(&S, "POST", path, S.c[1], "application/json", body, strlen(body), NULL);
		if (stored) {
			/* the stored file ends at 6 s */
			cr_expect_eq(r.status, 400, "%s", r.body);
			cr_expect_str_eq(jstr(r.json, "error.field"), "result[0].value.end", "%s", r.body);
			cr_expect(strstr(jstr(r.json, "error.message"), "past the end"), "%s", r.body);
			res_free(&r);
			/* the recording itself is readable by whoever holds the task */
			snprintf(body, sizeof body, "/api/v1/media/%lld", mid);
			cr_expect_eq(get_status(body, S.c[1]), 200);
			snprintf(body, sizeof body,
				 "{\"result\":[{\"id\":\"w\",\"from_name\":\"l\",\"to_name\":\"ts\",\"type\":"
				 "\"timeserieslabels\",\"value\":{\"start\":1,\"end\":6,\"instant\":false,"
				 "\"timeserieslabels\":[\"Walk\"]}}],\"active_seconds\":10}");
			r = http(&S, "POST", path, S.c[1], "application/json", body, strlen(body), NULL);
			cr_expect_eq(r.status, 201, "%s", r.body);
		} else {
			/* a foreign URL is not fetched: only the shape is checked */
			cr_expect_eq(r.status, 201, "%s", r.body);
		}
		res_free(&r);
	}
}

/* A CSV dropped into a TimeSeries project becomes a task ("/api/v1/files/ID");
 * its ranges are checked against the file; a CSV without rows is no task. */
Test(sensor, dropped_csv_becomes_a_time_series_task_with_its_range_checked)
{
	const char *cfg = "<View><TimeSeries name=\"ts\" value=\"$csv\" valueType=\"url\" timeColumn=\"t\">"
			  "<Channel column=\"ax\"/></TimeSeries>"
			  "<TimeSeriesLabels name=\"l\" toName=\"ts\"><Label value=\"Walk\"/></TimeSeriesLabels></View>";
	long long pid = project_create(&S, S.req,
				       json_pack("{s:s,s:s,s:i,s:i}", "title", "Label dropped series", "label_config",
						 cfg, "reward", 5, "overlap", 1));
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/files?name=walk.csv", pid);
	res r = http(&S, "POST", path, S.req, "text/csv", "t,ax\n", 5, NULL);
	cr_expect_eq(r.status, 415, "a header alone is no series: %s", r.body);
	res_free(&r);
	const char *csv = "t,ax\n0.5,1\n1.5,2\n2.5,3\n3.25,1\n";
	r = http(&S, "POST", path, S.req, "text/csv", csv, strlen(csv), NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "kind"), "timeseries", "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "field"), "csv", "%s", r.body);
	res_free(&r);
	project_fund(&S, pid, S.req, 100000);
	project_publish(&S, pid, S.req);
	long long a = lease_ok(&S, pid, S.c[2]);
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", a);
	const char *fmt =
		"{\"result\":[{\"id\":\"w\",\"from_name\":\"l\",\"to_name\":\"ts\",\"type\":\"timeserieslabels\","
		"\"value\":{\"start\":%s,\"end\":%s,\"instant\":false,\"timeserieslabels\":[\"Walk\"]}}],"
		"\"active_seconds\":10}";
	char body[512];
	snprintf(body, sizeof body, fmt, "1", "3.5");
	r = http(&S, "POST", path, S.c[2], "application/json", body, strlen(body), NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "result[0].value.end", "%s", r.body);
	res_free(&r);
	snprintf(body, sizeof body, fmt, "0.25", "1");
	r = http(&S, "POST", path, S.c[2], "application/json", body, strlen(body), NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "result[0].value.start", "%s", r.body);
	res_free(&r);
	snprintf(body, sizeof body, fmt, "0.5", "3.25");
	r = http(&S, "POST", path, S.c[2], "application/json", body, strlen(body), NULL);
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}
