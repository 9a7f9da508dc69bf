/* check_bench — time of the upload checks (probe, decode and measure, hash)
 * per file: check_bench FILE SPEC_JSON [ITERATIONS] prints ms per run. */
#include "blob/blob.h"
#include "core/clock.h"
#include "media/media.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: check_bench FILE SPEC_JSON [ITERATIONS]\n");
		return 2;
	}
	int n = argc > 3 ? atoi(argv[3]) : 10;
	json_error_t je;
	json_t *spec = json_loads(argv[2], 0, &je);
	if (!spec || n < 1) {
		fprintf(stderr, "check_bench: bad spec or count\n");
		return 2;
	}
	fc_media_report rep;
	uint64_t t0 = fc_clock_mono_ns();
	int failed = 0;
	for (int i = 0; i < n; i++) {
		fc_err err = {0};
		char hex[65];
		uint64_t size;
		if (fc_media_check(argv[1], "application/octet-stream", spec, &rep, &err))
			failed++;
		if (fc_blob_hash_file(argv[1], hex, &size, &err))
			failed++;
		fc_err_clear(&err);
	}
	double ms = (double)(fc_clock_mono_ns() - t0) / 1e6 / n;
	printf("%s: %.1f ms per check (format %s, %.2f s, %s%s)\n", argv[1], ms, rep.probe.format, rep.probe.duration,
	       rep.probe.kind, failed ? ", some checks failed" : "");
	json_decref(spec);
	return 0;
}
