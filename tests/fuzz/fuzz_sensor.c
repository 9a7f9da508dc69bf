/* libFuzzer: the sensor-recording CSV checks (strict parse) and the time
 * span reader the TimeSeries range check uses, on untrusted uploads. */
#include "media/media.h"
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	fc_sensor_stats st;
	fc_err err = {0};
	fc_sensor_parse(f, &st, &err);
	fc_err_clear(&err);
	double lo, hi;
	rewind(f);
	fc_csv_span(f, "t", ',', &lo, &hi, NULL);
	rewind(f);
	fc_csv_span(f, NULL, ';', &lo, &hi, NULL);
	fclose(f);
	return 0;
}
