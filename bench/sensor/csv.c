/* Sensor CSV speed: fc_sensor_parse (the upload check) and fc_csv_span (the
 * TimeSeries range check's one read per blob) over a generated recording of
 * N readings at 100 Hz with all nine columns (the browser's widest file).
 *   cc -O2 -Isrc bench/sensor/csv.c src/media/sensor.c src/core/err.c \
 *      $(pkg-config --cflags --libs jansson) -o /tmp/sensor-csv && /tmp/sensor-csv 360000
 * (360,000 readings = one hour at 100 Hz). */
#include "media/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 360000;
	char path[] = "/tmp/fc-sensor-bench-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!f)
		return 1;
	fprintf(f, "t,ax,ay,az,gx,gy,gz,alpha,beta,gamma\n");
	for (long i = 0; i < n; i++)
		fprintf(f, "%.3f,%.4f,%.4f,%.4f,%.3f,%.3f,%.3f,%.2f,%.2f,%.2f\n", i / 100.0, (i % 17) * 0.1,
			(i % 11) * -0.2, 9.81 + (i % 5) * 0.01, (i % 7) * 4.0, (i % 9) * -3.0, (i % 13) * 1.5,
			(i % 360) * 1.0, (i % 180) - 90.0, (i % 90) - 45.0);
	long bytes = ftell(f);
	fc_err err = {0};
	double best_parse = 1e9, best_span = 1e9;
	fc_sensor_stats st = {0};
	double lo = 0, hi = 0;
	for (int round = 0; round < 5; round++) {
		rewind(f);
		double t0 = now();
		if (fc_sensor_parse(f, &st, &err)) {
			fprintf(stderr, "parse: %s\n", err.msg);
			return 1;
		}
		double t1 = now();
		rewind(f);
		if (fc_csv_span(f, "t", ',', &lo, &hi, &err)) {
			fprintf(stderr, "span: %s\n", err.msg);
			return 1;
		}
		double t2 = now();
		if (t1 - t0 < best_parse)
			best_parse = t1 - t0;
		if (t2 - t1 < best_span)
			best_span = t2 - t1;
	}
	printf("%ld readings, %.1f MB: parse %.1f ms (%.0f MB/s, %.1f Hz found), span %.1f ms (%.0f MB/s, %g..%g s)\n",
	       n, bytes / 1e6, best_parse * 1e3, bytes / 1e6 / best_parse, st.hz, best_span * 1e3,
	       bytes / 1e6 / best_span, lo, hi);
	fclose(f);
	remove(path);
	return 0;
}
