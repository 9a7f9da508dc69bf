/* Free-text aggregation: word edit distance and the medoid. See text.h. */
#include "quality/text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct words {
	const char **start;
	size_t *len;
	size_t n;
} words;

static void words_free(words *w)
{
	free(w->start);
	free(w->len);
	w->start = NULL;
	w->len = NULL;
	w->n = 0;
}

/* Splits s on whitespace (pointers into s). 0, or -1 when out of memory. */
static int split(const char *s, words *w)
{
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += isspace((unsigned char)*p) != 0;
	w->n = 0;
	w->start = malloc(cap * sizeof *w->start);
	w->len = malloc(cap * sizeof *w->len);
	if (!w->start || !w->len) {
		words_free(w);
		return -1;
	}
	for (const char *p = s; *p;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		const char *b = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		w->start[w->n] = b;
		w->len[w->n++] = (size_t)(p - b);
	}
	return 0;
}

static int same_word(const words *a, size_t i, const words *b, size_t j)
{
	if (a->len[i] != b->len[j])
		return 0;
	for (size_t k = 0; k < a->len[i]; k++)
		if (tolower((unsigned char)a->start[i][k]) != tolower((unsigned char)b->start[j][k]))
			return 0;
	return 1;
}

/* Levenshtein over words with one row of the table. */
static double word_distance(const words *a, const words *b)
{
	size_t longer = a->n > b->n ? a->n : b->n;
	if (longer == 0)
		return 0;
	size_t *row = malloc((b->n + 1) * sizeof *row);
	if (!row)
		return -1;
	for (size_t j = 0; j <= b->n; j++)
		row[j] = j;
	for (size_t i = 1; i <= a->n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= b->n; j++) {
			size_t up = row[j];
			size_t best = diag + !same_word(a, i - 1, b, j - 1);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	double d = (double)row[b->n] / (double)longer;
	free(row);
	return d;
}

double fc_text_distance(const char *a, const char *b)
{
	words wa, wb;
	if (split(a, &wa))
		return -1;
	if (split(b, &wb)) {
		words_free(&wa);
		return -1;
	}
	double d = word_distance(&wa, &wb);
	words_free(&wa);
	words_free(&wb);
	return d;
}

int fc_text_medoid(const char *const *texts, size_t n, size_t *best, double *confidence, fc_err *err)
{
	if (n == 0)
		return fc_err_set(err, FC_EINVAL, "invalid_value", NULL, "No answers to aggregate.");
	words *w = calloc(n, sizeof *w);
	double *sum = calloc(n, sizeof *sum);
	int rc = 0;
	if (!w || !sum) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	for (size_t i = 0; i < n && !rc; i++)
		if (split(texts[i] ? texts[i] : "", &w[i]))
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	for (size_t i = 0; i < n && !rc; i++)
		for (size_t j = i + 1; j < n && !rc; j++) {
			double d = word_distance(&w[i], &w[j]);
			if (d < 0)
				rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
			sum[i] += d;
			sum[j] += d;
		}
	if (!rc) {
		size_t b = 0;
		for (size_t i = 1; i < n; i++)
			if (sum[i] < sum[b] - 1e-12)
				b = i;
		*best = b;
		*confidence = n > 1 ? 1 - sum[b] / (double)(n - 1) : 1;
	}
out:
	if (w)
		for (size_t i = 0; i < n; i++)
			words_free(&w[i]);
	free(w);
	free(sum);
	return rc;
}
