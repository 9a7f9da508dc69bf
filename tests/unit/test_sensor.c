/* The sensor recording parser (collect.media "sensor") and the time span of
 * a CSV file, on text made here (fmemopen). */
#include "media/media.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static int parse(const char *text, fc_sensor_stats *st, fc_err *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	cr_assert(f);
	int rc = fc_sensor_parse(f, st, err);
	fclose(f);
	return rc;
}

static void refused(const char *text, const char *slug, const char *in_message)
{
	fc_sensor_stats st;
	fc_err err = {0};
	cr_expect_eq(parse(text, &st, &err), FC_ERULE, "%s", text);
	cr_expect_str_eq(err.slug, slug, "%s: %s", text, err.msg);
	if (in_message)
		cr_expect(strstr(err.msg, in_message), "'%s' not in '%s'", in_message, err.msg);
	fc_err_clear(&err);
}

Test(sensor, parses_rate_length_and_columns)
{
	fc_sensor_stats st;
	fc_err err = {0};
	const char *csv =
		"t_ms,az,ax,ay,alpha\r\n0,9.8,0,0,\r\n20,9.8,0.1,0,10\r\n40,9.7,0.2,-0.1,10.5\r\n60,9.8,,0,11\r\n\r\n";
	cr_assert_eq(parse(csv, &st, &err), 0, "%s", err.msg);
	cr_expect_eq(st.rows, 4);
	cr_expect_eq(st.columns, 4);
	cr_expect(st.seconds > 0.0599 && st.seconds < 0.0601, "%f", st.seconds);
	cr_expect(st.hz > 49.9 && st.hz < 50.1, "%f", st.hz);
	cr_expect_str_eq(fc_sensor_column(st.col[0]), "az");
	cr_expect_eq(st.filled[0], 3); /* ax: one empty */
	cr_expect_eq(st.filled[6], 3); /* alpha */
	cr_expect(!st.has[3]);         /* no gx */
}

Test(sensor, refuses_what_is_not_a_recording)
{
	refused("", "bad_csv", "empty");
	refused("time,ax\n0,1\n", "bad_csv", "time column");
	refused("t\n0\n1\n", "bad_csv", "Line 1");
	refused("t,ax,pressure\n0,1,2\n", "bad_csv", "pressure");
	refused("t,ax,ax\n0,1,2\n", "bad_csv", "twice");
	refused("t,ax\n0,1\n0.1\n", "bad_csv", "Line 3");
	refused("t,ax\n0,1\n0.1,1,2\n", "bad_csv", "Line 3");
	refused("t,ax\n0,1\n,1\n", "bad_csv", "time");
	refused("t,ax\n0,1\n0.1,1e999\n", "bad_csv", "Line 3");
	refused("t,ax\n0,1\n0.1, 1\n", "bad_csv", "Line 3");
	refused("t,ax\n0,1\n0.1,0x1g\n", "bad_csv", "Line 3");
	refused("t,ax\n0,1\n\n0.2,1\n", "bad_csv", "empty");
	refused("t,ax\n0,1\n0.1,\"1\"\n", "bad_csv", "Line 3");
	refused("t,ax\n0,1\n0.1,1\n0.1,1\n", "not_monotonic", "Line 4");
	refused("t,ax\n0,1\n0.1,1\n0.05,1\n", "not_monotonic", "Line 4");
	char longline[2100];
	memset(longline, '1', sizeof longline - 1);
	longline[sizeof longline - 1] = 0;
	memcpy(longline, "t,ax\n0,", 7);
	refused(longline, "bad_csv", "too long");
	const char nul[] = "t,ax\n0,1\n0.1,\0\n";
	fc_sensor_stats st;
	fc_err err = {0};
	FILE *f = fmemopen((void *)nul, sizeof nul - 1, "r");
	cr_expect_eq(fc_sensor_parse(f, &st, &err), FC_ERULE);
	cr_expect_str_eq(err.slug, "bad_csv");
	fclose(f);
	fc_err_clear(&err);
}

static int span(const char *text, const char *col, double *lo, double *hi)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	cr_assert(f);
	int rc = fc_csv_span(f, col, ',', lo, hi, NULL);
	fclose(f);
	return rc;
}

Test(sensor, csv_span_reads_the_time_column_or_counts_rows)
{
	double lo = -1, hi = -1;
	cr_expect_eq(span("t,ax\n0.5,1\n1,2\n7.25,3\n", "t", &lo, &hi), 0);
	cr_expect(lo == 0.5 && hi == 7.25, "%f %f", lo, hi);
	cr_expect_eq(span("\"a,b\",time\n\"x,y\",10\n\"z\",4\n", "time", &lo, &hi), 0);
	cr_expect(lo == 4 && hi == 10, "%f %f", lo, hi); /* descending: ordered */
	cr_expect_eq(span("ax,ay\n1,2\n3,4\n5,6\n\n", NULL, &lo, &hi), 0);
	cr_expect(lo == 0 && hi == 2, "%f %f", lo, hi);
	cr_expect_neq(span("t,ax\n", "t", &lo, &hi), 0);              /* no rows */
	cr_expect_neq(span("x,ax\n1,2\n", "t", &lo, &hi), 0);         /* no such column */
	cr_expect_neq(span("t,ax\n1,2\nnope,3\n", "t", &lo, &hi), 0); /* not a number */
	cr_expect_neq(span("", "t", &lo, &hi), 0);
}
