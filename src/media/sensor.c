/* Sensor recordings (collect.media "sensor") and the time span of a CSV
 * file. See media.h; the upload format is in docs/collection.md. */
#include "media/media.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The columns a recording may carry after its time column, by sensor. */
static const char *const COLUMNS[FC_SENSOR_NCOLUMNS] = {"ax", "ay", "az", "gx", "gy", "gz", "alpha", "beta", "gamma"};
static const char *const SENSORS[] = {"accelerometer", "gyroscope", "orientation", NULL};

int fc_sensor_index(const char *name)
{
	for (int i = 0; SENSORS[i]; i++)
		if (!strcmp(SENSORS[i], name))
			return i;
	return -1;
}

const char *fc_sensor_column(int i) { return i >= 0 && i < FC_SENSOR_NCOLUMNS ? COLUMNS[i] : NULL; }

/* Reads one line (without its \n or \r\n) into buf; 1 for a line, 0 at the
 * end, -1 when it is longer than n-1 bytes or holds a NUL byte. */
static int read_line(FILE *f, char *buf, size_t n)
{
	size_t len = 0;
	int c, any = 0;
	while ((c = getc_unlocked(f)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (c == 0 || len + 1 >= n)
			return -1;
		buf[len++] = (char)c;
	}
	if (!any)
		return 0;
	if (len && buf[len - 1] == '\r')
		len--;
	buf[len] = 0;
	return 1;
}

/* A whole field as a finite number; empty fields are *empty (not numbers). */
static int parse_number(const char *s, double *v, int *empty)
{
	*empty = !*s;
	if (*empty)
		return 1;
	char *end;
	*v = strtod(s, &end);
	return end != s && !*end && isfinite(*v) && !isspace((unsigned char)*s);
}

/* Splits line at commas in place (no quoting in this format); returns the
 * field count, at most max. */
static int split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		fields[n++] = p;
		char *c = strchr(p, ',');
		if (!c)
			return n;
		*c = 0;
		p = c + 1;
	}
	return max + 1; /* too many */
}

int fc_sensor_parse(FILE *f, fc_sensor_stats *st, fc_err *err)
{
	memset(st, 0, sizeof *st);
	char line[FC_SENSOR_MAX_LINE];
	char *fields[FC_SENSOR_NCOLUMNS + 2];
	int r = read_line(f, line, sizeof line);
	if (r <= 0)
		return fc_err_set(err, FC_ERULE, "bad_csv", "file",
				  r ? "Line 1 is not a CSV header (too long or binary)." : "The file is empty.");
	int n = split(line, fields, FC_SENSOR_NCOLUMNS + 1);
	double scale = 1;
	if (n > FC_SENSOR_NCOLUMNS + 1 || n < 2)
		return fc_err_set(err, FC_ERULE, "bad_csv", "file",
				  "Line 1 must name the time column (t or t_ms) and 1 to %d sensor columns.",
				  FC_SENSOR_NCOLUMNS);
	if (!strcmp(fields[0], "t_ms"))
		scale = 0.001;
	else if (strcmp(fields[0], "t"))
		return fc_err_set(err, FC_ERULE, "bad_csv", "file",
				  "Line 1 must start with the time column, t (seconds) or t_ms (milliseconds).");
	st->columns = n - 1;
	for (int i = 1; i < n; i++) {
		int k = -1;
		for (int j = 0; j < FC_SENSOR_NCOLUMNS; j++)
			if (!strcmp(fields[i], COLUMNS[j]))
				k = j;
		if (k < 0)
			return fc_err_set(err, FC_ERULE, "bad_csv", "file",
					  "Column %d of line 1 ('%.40s') is not a sensor column (ax ay az gx gy gz "
					  "alpha beta gamma).",
					  i + 1, fields[i]);
		if (st->has[k])
			return fc_err_set(err, FC_ERULE, "bad_csv", "file", "Column '%s' appears twice in line 1.",
					  COLUMNS[k]);
		st->has[k] = 1;
		st->col[i - 1] = k;
	}
	double prev = 0;
	uint64_t lineno = 1;
	while ((r = read_line(f, line, sizeof line)) != 0) {
		lineno++;
		if (r < 0)
			return fc_err_set(err, FC_ERULE, "bad_csv", "file",
					  "Line %llu is too long or holds binary data.", (unsigned long long)lineno);
		if (!line[0]) { /* blank lines only at the end */
			int c = getc(f);
			while (c == '\n' || c == '\r')
				c = getc(f);
			if (c == EOF)
				break;
			return fc_err_set(err, FC_ERULE, "bad_csv", "file", "Line %llu is empty.",
					  (unsigned long long)lineno);
		}
		if (split(line, fields, n) != n)
			return fc_err_set(err, FC_ERULE, "bad_csv", "file", "Line %llu has not %d fields.",
					  (unsigned long long)lineno, n);
		double v;
		int empty;
		if (!parse_number(fields[0], &v, &empty) || empty)
			return fc_err_set(err, FC_ERULE, "bad_csv", "file",
					  "Line %llu: the time '%.40s' is not a number.", (unsigned long long)lineno,
					  fields[0]);
		v *= scale;
		if (st->rows && !(v > prev))
			return fc_err_set(err, FC_ERULE, "not_monotonic", "t",
					  "Line %llu: the time %g s does not come after the previous one (%g s).",
					  (unsigned long long)lineno, v, prev);
		if (!st->rows)
			st->t0 = v;
		prev = st->t1 = v;
		for (int i = 1; i < n; i++) {
			double x;
			if (!parse_number(fields[i], &x, &empty))
				return fc_err_set(err, FC_ERULE, "bad_csv", "file",
						  "Line %llu: '%.40s' in column %s is not a number.",
						  (unsigned long long)lineno, fields[i], COLUMNS[st->col[i - 1]]);
			if (!empty)
				st->filled[st->col[i - 1]]++;
		}
		st->rows++;
	}
	if (ferror(f))
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the upload.");
	st->seconds = st->t1 - st->t0;
	st->hz = st->rows >= 2 && st->seconds > 0 ? (double)(st->rows - 1) / st->seconds : 0;
	return 0;
}

/* Which sensors the spec wants: its "sensors" list, else the accelerometer. */
static unsigned wanted(const json_t *spec)
{
	const json_t *list = json_object_get(spec, "sensors"), *v;
	size_t i;
	unsigned bits = 0;
	if (!json_array_size(list))
		return 1;
	json_array_foreach(list, i, v) {
		int k = json_is_string(v) ? fc_sensor_index(json_string_value(v)) : -1;
		if (k >= 0)
			bits |= 1u << k;
	}
	return bits;
}

int fc_sensor_check(const char *path, const json_t *spec, fc_media_report *rep, fc_err *err)
{
	fc_probe *p = &rep->probe;
	fc_sensor_stats *st = &rep->sensor;
	FILE *f = fopen(path, "rb");
	if (!f)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the upload.");
	fc_err sub = {0};
	int rc = fc_sensor_parse(f, st, &sub);
	fclose(f);
	if (rc && rc != FC_ERULE) {
		rc = fc_err_set(err, sub.code, sub.slug, NULL, "%s", sub.msg);
		fc_err_clear(&sub);
		return rc;
	}
	if (rc) {
		fc_err_add_detail(err, sub.slug, sub.field, "%s", sub.msg);
		fc_err_clear(&sub);
		return 0;
	}
	strcpy(p->kind, "sensor");
	strcpy(p->format, "csv");
	snprintf(p->mime, sizeof p->mime, "text/csv");
	p->duration = st->seconds;
	p->channels = st->columns;
	rep->has_sensor_stats = 1;
	unsigned want = wanted(spec);
	for (int s = 0; SENSORS[s]; s++) {
		if (!(want & (1u << s)))
			continue;
		/* each of its three axes present in at least half the readings */
		int ok = 1;
		for (int a = 0; a < 3; a++)
			ok &= st->has[s * 3 + a] && st->filled[s * 3 + a] * 2 >= st->rows && st->rows > 0;
		if (!ok)
			fc_err_add_detail(err, "sensor_missing", "sensors",
					  "The recording lacks the %s (columns %s, %s, %s, filled in at least half the "
					  "readings). Does this phone have one?",
					  SENSORS[s], COLUMNS[s * 3], COLUMNS[s * 3 + 1], COLUMNS[s * 3 + 2]);
	}
	const json_t *ms = json_object_get(spec, "min_seconds"); /* else fc_media_check says it */
	if (st->rows < 2 && !(json_is_number(ms) && st->seconds < json_number_value(ms)))
		fc_err_add_detail(err, "too_short", "duration_seconds",
				  "The recording holds %llu reading%s; it needs more.", (unsigned long long)st->rows,
				  st->rows == 1 ? "" : "s");
	const json_t *mh = json_object_get(spec, "min_hz");
	double min_hz = json_is_number(mh) ? json_number_value(mh) : FC_SENSOR_MIN_HZ;
	if (st->rows >= 2 && st->hz < min_hz)
		fc_err_add_detail(err, "sensor_rate_low", "sample_rate",
				  "The sensors were read %.1f times a second; at least %g are needed. Keep this page "
				  "open and in front while recording.",
				  st->hz, min_hz);
	return 0;
}

/* ---- the time span of a CSV file (TimeSeries data behind a URL) ---- */

/* The next field of a CSV line from *p (quotes "…" with "" inside allowed)
 * into out; 0 at the end of the line. */
static int next_field(const char **p, char *out, size_t n, char sep)
{
	const char *s = *p;
	if (!s)
		return 0;
	size_t len = 0;
	if (*s == '"') {
		s++;
		while (*s && !(*s == '"' && s[1] != '"')) {
			if (*s == '"')
				s++;
			if (len + 1 < n)
				out[len++] = *s;
			s++;
		}
		if (*s == '"')
			s++;
		while (*s && *s != sep)
			s++;
	} else {
		while (*s && *s != sep) {
			if (len + 1 < n)
				out[len++] = *s;
			s++;
		}
	}
	out[len] = 0;
	*p = *s == sep ? s + 1 : NULL;
	return 1;
}

/* Field col (0-based) of line as a number. */
static int field_number(const char *line, int col, char sep, double *v)
{
	char buf[128];
	const char *p = line;
	for (int i = 0; next_field(&p, buf, sizeof buf, sep); i++) {
		if (i < col)
			continue;
		int empty;
		char *s = buf;
		while (*s == ' ')
			s++;
		return parse_number(s, v, &empty) && !empty;
	}
	return 0;
}

int fc_csv_span(FILE *f, const char *time_column, char sep, double *lo, double *hi, fc_err *err)
{
	char *line = malloc(FC_CSV_MAX_LINE);
	if (!line)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	int rc = 0, col = -1, r;
	uint64_t rows = 0;
	double first = 0, last = 0, v;
	if (read_line(f, line, FC_CSV_MAX_LINE) != 1) {
		rc = fc_err_set(err, FC_ERULE, "bad_csv", "file", "The file has no CSV header.");
		goto out;
	}
	if (time_column && *time_column) {
		char buf[256];
		const char *p = line;
		for (int i = 0; next_field(&p, buf, sizeof buf, sep); i++)
			if (col < 0 && !strcmp(buf, time_column))
				col = i;
		if (col < 0) {
			rc = fc_err_set(err, FC_ERULE, "bad_csv", "file", "The file has no column '%s'.", time_column);
			goto out;
		}
	}
	while ((r = read_line(f, line, FC_CSV_MAX_LINE)) != 0) {
		if (r < 0) {
			rc = fc_err_set(err, FC_ERULE, "bad_csv", "file", "Line %llu is too long or binary.",
					(unsigned long long)rows + 2);
			goto out;
		}
		if (!line[0])
			continue;
		if (col >= 0) {
			if (!field_number(line, col, sep, &v)) {
				rc = fc_err_set(err, FC_ERULE, "bad_csv", "file",
						"Line %llu: the time column holds no number.",
						(unsigned long long)rows + 2);
				goto out;
			}
			if (!rows)
				first = v;
			last = v;
		}
		rows++;
	}
	if (!rows) {
		rc = fc_err_set(err, FC_ERULE, "bad_csv", "file", "The file has no rows.");
		goto out;
	}
	if (col < 0) { /* rows numbered from 0 */
		first = 0;
		last = (double)(rows - 1);
	}
	*lo = first < last ? first : last;
	*hi = first < last ? last : first;
out:
	free(line);
	return rc;
}
