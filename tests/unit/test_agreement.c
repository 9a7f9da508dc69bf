/* Unit tests for src/quality/agreement: published reference values and the
 * agreement subcommand. Expected values were recomputed independently (a
 * short Python script over the same tables) before being written here. */
#include "quality/agreement.h"
#include "quality/cli.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the
 * example with 4 observers × 12 units and missing values (0 = missing).
 * Published: nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797. */
static const int kripp[4][12] = {
	{1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
	{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3},
	{0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0},
	{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0},
};

static fc_answers *kripp_answers(void)
{
	fc_answers *a = fc_answers_new();
	fc_err err = {0};
	char unit[16], coder[8], value[16];
	for (int u = 0; u < 12; u++)
		for (int c = 0; c < 4; c++) {
			if (!kripp[c][u])
				continue;
			snprintf(unit, sizeof unit, "u%d", u + 1);
			snprintf(coder, sizeof coder, "%c", 'A' + c);
			snprintf(value, sizeof value, "%d", kripp[c][u]);
			cr_assert_eq(fc_answers_add(a, unit, coder, value, &err), 0);
		}
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	return a;
}

static double alpha_of(const fc_answers *a, fc_level level)
{
	double v = -99;
	fc_err err = {0};
	cr_assert_eq(fc_agreement_alpha(a, level, &v, &err), 0, "%s", err.msg);
	return v;
}

Test(alpha, krippendorff_2011_reference_values)
{
	fc_answers *a = kripp_answers();
	/* exact values; they round to the published 0.743 0.815 0.849 0.797 */
	cr_assert_float_eq(alpha_of(a, FC_LEVEL_NOMINAL), 0.743421053, 1e-9);
	cr_assert_float_eq(alpha_of(a, FC_LEVEL_ORDINAL), 0.815387504, 1e-9);
	cr_assert_float_eq(alpha_of(a, FC_LEVEL_INTERVAL), 0.849107143, 1e-9);
	cr_assert_float_eq(alpha_of(a, FC_LEVEL_RATIO), 0.797402775, 1e-9);
	cr_assert_float_eq(alpha_of(a, FC_LEVEL_NOMINAL), 0.743, 5e-4);
	cr_assert_float_eq(alpha_of(a, FC_LEVEL_ORDINAL), 0.815, 5e-4);
	cr_assert_float_eq(alpha_of(a, FC_LEVEL_INTERVAL), 0.849, 5e-4);
	cr_assert_float_eq(alpha_of(a, FC_LEVEL_RATIO), 0.797, 5e-4);
	fc_answers_free(a);
}

Test(alpha, equal_numbers_are_one_value_above_nominal)
{
	/* "2" and "2.0" are two categories but one number. */
	fc_answers *a = fc_answers_new();
	fc_err err = {0};
	const char *rows[][3] = {{"u1", "a", "2"}, {"u1", "b", "2.0"}, {"u2", "a", "1"},
				 {"u2", "b", "3"}, {"u3", "a", "3"},   {"u3", "b", "3"}};
	for (int i = 0; i < 6; i++)
		cr_assert_eq(fc_answers_add(a, rows[i][0], rows[i][1], rows[i][2], &err), 0);
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	/* interval: values 2,2 | 1,3 | 3,3 → n=6, D_o: unit 2 gives 2·4 = 8 over n.
	 * D_e: sum over pairs of n_c n_k (c-k)² with n_1=1, n_2=2, n_3=3:
	 * 2·(1·2·1 + 1·3·4 + 2·3·1) = 40; alpha = 1 - 5·8/40 = 0. */
	cr_assert_float_eq(alpha_of(a, FC_LEVEL_INTERVAL), 0.0, 1e-12);
	fc_answers_free(a);
}

Test(alpha, errors)
{
	fc_err err = {0};
	double v;
	fc_answers *a = fc_answers_new();
	cr_assert_eq(fc_answers_add(a, "u1", "a", "x", &err), 0);
	cr_assert_eq(fc_answers_add(a, "u1", "b", "x", &err), 0);
	cr_assert_eq(fc_answers_add(a, "u2", "a", "-1", &err), 0);
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	cr_assert_eq(fc_agreement_alpha(a, FC_LEVEL_ORDINAL, &v, &err), FC_EINVAL);
	cr_assert(strstr(err.msg, "\"x\" is not a number"), "%s", err.msg);
	/* u2 has a single value, so only "x","x" is pairable: no variation */
	cr_assert_eq(fc_agreement_alpha(a, FC_LEVEL_NOMINAL, &v, &err), FC_EINVAL);
	cr_assert(strstr(err.msg, "undefined"), "%s", err.msg);
	fc_answers_free(a);

	a = fc_answers_new();
	cr_assert_eq(fc_answers_add(a, "u1", "a", "-1", &err), 0);
	cr_assert_eq(fc_answers_add(a, "u1", "b", "2", &err), 0);
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	cr_assert_eq(fc_agreement_alpha(a, FC_LEVEL_RATIO, &v, &err), FC_EINVAL);
	cr_assert(strstr(err.msg, ">= 0"), "%s", err.msg);
	fc_answers_free(a);

	a = fc_answers_new();
	cr_assert_eq(fc_answers_add(a, "u1", "a", "1", &err), 0);
	cr_assert_eq(fc_answers_add(a, "u2", "b", "2", &err), 0);
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	cr_assert_eq(fc_agreement_alpha(a, FC_LEVEL_NOMINAL, &v, &err), FC_EINVAL);
	cr_assert(strstr(err.msg, "two or more"), "%s", err.msg);
	fc_answers_free(a);
}

/* Builds answers from a subjects × categories table of rater counts; each
 * subject gets its own raters, as Fleiss' kappa allows. */
static fc_answers *from_counts(const int *table, int subjects, int categories)
{
	fc_answers *a = fc_answers_new();
	fc_err err = {0};
	char s[16], r[40], c[16];
	for (int i = 0; i < subjects; i++) {
		int rater = 0;
		snprintf(s, sizeof s, "s%d", i + 1);
		for (int j = 0; j < categories; j++)
			for (int k = 0; k < table[i * categories + j]; k++) {
				snprintf(r, sizeof r, "s%d_r%d", i + 1, rater++);
				snprintf(c, sizeof c, "%d", j + 1);
				cr_assert_eq(fc_answers_add(a, s, r, c, &err), 0);
			}
	}
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	return a;
}

Test(fleiss, fleiss_1971_table_1)
{
	/* Fleiss (1971) Table 1: 30 patients, 6 psychiatrists each, 5
	 * diagnoses (depression, personality disorder, schizophrenia,
	 * neurosis, other). Published kappa = .430. */
	static const int t[30][5] = {
		{0, 0, 0, 6, 0}, {0, 3, 0, 0, 3}, {0, 1, 4, 0, 1}, {0, 0, 0, 0, 6}, {0, 3, 0, 3, 0}, {2, 0, 4, 0, 0},
		{0, 0, 4, 0, 2}, {2, 0, 3, 1, 0}, {2, 0, 0, 4, 0}, {0, 0, 0, 0, 6}, {1, 0, 0, 5, 0}, {1, 1, 0, 4, 0},
		{0, 3, 3, 0, 0}, {1, 0, 0, 5, 0}, {0, 2, 0, 3, 1}, {0, 0, 5, 0, 1}, {3, 0, 0, 1, 2}, {5, 1, 0, 0, 0},
		{0, 2, 0, 4, 0}, {1, 0, 2, 0, 3}, {0, 0, 0, 0, 6}, {0, 1, 0, 5, 0}, {0, 2, 0, 1, 3}, {2, 0, 0, 4, 0},
		{1, 0, 0, 4, 1}, {0, 5, 0, 1, 0}, {4, 0, 0, 0, 2}, {0, 2, 0, 4, 0}, {1, 0, 5, 0, 0}, {0, 0, 0, 0, 6},
	};
	fc_answers *a = from_counts(&t[0][0], 30, 5);
	double k = 0;
	fc_err err = {0};
	cr_assert_eq(fc_agreement_fleiss(a, &k, &err), 0, "%s", err.msg);
	cr_assert_float_eq(k, 0.430244520, 1e-9);
	cr_assert_float_eq(k, 0.430, 5e-4);
	fc_answers_free(a);
}

Test(fleiss, wikipedia_worked_example)
{
	/* Wikipedia "Fleiss' kappa", worked example: 10 subjects × 14 raters
	 * × 5 categories. The article's value is 0.210 (not 0.430, which is
	 * Fleiss' own 1971 data above). */
	static const int t[10][5] = {
		{0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0}, {2, 2, 8, 1, 1},
		{7, 7, 0, 0, 0},  {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0}, {0, 2, 2, 3, 7},
	};
	fc_answers *a = from_counts(&t[0][0], 10, 5);
	double k = 0;
	fc_err err = {0};
	cr_assert_eq(fc_agreement_fleiss(a, &k, &err), 0, "%s", err.msg);
	cr_assert_float_eq(k, 0.209930704, 1e-9);
	fc_answers_free(a);
}

Test(fleiss, errors)
{
	fc_answers *a = kripp_answers(); /* missing values: unequal rater counts */
	double k;
	fc_err err = {0};
	cr_assert_eq(fc_agreement_fleiss(a, &k, &err), FC_EINVAL);
	cr_assert(strstr(err.msg, "same number of answers"), "%s", err.msg);
	fc_answers_free(a);

	static const int same[2][2] = {{3, 0}, {3, 0}};
	a = from_counts(&same[0][0], 2, 2);
	cr_assert_eq(fc_agreement_fleiss(a, &k, &err), FC_EINVAL);
	cr_assert(strstr(err.msg, "undefined"), "%s", err.msg);
	fc_answers_free(a);
}

/* Wikipedia "Cohen's kappa", first example: 50 proposals, both readers say
 * yes on 20, both no on 15, A yes / B no on 5, A no / B yes on 10:
 * p_o = 0.7, p_e = 0.5, kappa = 0.4. */
static fc_answers *cohen_answers(int extra_worker, int one_sided)
{
	fc_answers *a = fc_answers_new();
	fc_err err = {0};
	char q[8];
	for (int i = 0; i < 50; i++) {
		const char *ra = i < 25 ? "yes" : "no";
		const char *rb = i < 20 ? "yes" : i < 25 ? "no" : i < 35 ? "yes" : "no";
		snprintf(q, sizeof q, "p%d", i);
		/* B first on some items: the order of answers must not matter */
		if (i % 3) {
			cr_assert_eq(fc_answers_add(a, q, "A", ra, &err), 0);
			cr_assert_eq(fc_answers_add(a, q, "B", rb, &err), 0);
		} else {
			cr_assert_eq(fc_answers_add(a, q, "B", rb, &err), 0);
			cr_assert_eq(fc_answers_add(a, q, "A", ra, &err), 0);
		}
	}
	if (one_sided)
		cr_assert_eq(fc_answers_add(a, "only_a", "A", "no", &err), 0);
	if (extra_worker)
		cr_assert_eq(fc_answers_add(a, "p0", "C", "no", &err), 0);
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	return a;
}

Test(cohen, wikipedia_example)
{
	fc_answers *a = cohen_answers(0, 0);
	double k = 0;
	fc_err err = {0};
	cr_assert_eq(fc_agreement_cohen(a, &k, &err), 0, "%s", err.msg);
	cr_assert_float_eq(k, 0.4, 1e-12);
	fc_answers_free(a);

	a = cohen_answers(0, 1); /* an item only A rated is ignored */
	cr_assert_eq(fc_agreement_cohen(a, &k, &err), 0, "%s", err.msg);
	cr_assert_float_eq(k, 0.4, 1e-12);
	fc_answers_free(a);
}

Test(cohen, errors)
{
	fc_answers *a = cohen_answers(1, 0);
	double k;
	fc_err err = {0};
	cr_assert_eq(fc_agreement_cohen(a, &k, &err), FC_EINVAL);
	cr_assert(strstr(err.msg, "exactly two workers, found 3"), "%s", err.msg);
	fc_answers_free(a);

	a = fc_answers_new();
	cr_assert_eq(fc_answers_add(a, "q1", "A", "x", &err), 0);
	cr_assert_eq(fc_answers_add(a, "q2", "B", "x", &err), 0);
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	cr_assert_eq(fc_agreement_cohen(a, &k, &err), FC_EINVAL);
	cr_assert(strstr(err.msg, "answered by both"), "%s", err.msg);
	fc_answers_free(a);
}

/* Per-label alpha by hand: u1 A A · u2 A B · u3 C C · u4 B B. n = 8;
 * A: n_A = 3, o(A, not A) = 1 → 1 − 7·1/(3·5) = 8/15; B the same; C is
 * never confused: 1. */
static fc_answers *set_of(const char *const rows[][3], size_t n)
{
	fc_answers *a = fc_answers_new();
	fc_err err = {0};
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(fc_answers_add(a, rows[i][0], rows[i][1], rows[i][2], &err), 0);
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	return a;
}

static double label_alpha(const fc_answers *a, const double *alpha, const char *label)
{
	for (size_t l = 0; l < a->n_labels; l++)
		if (!strcmp(fc_answers_label_name(a, (int32_t)l), label))
			return alpha[l];
	cr_assert_fail("no label %s", label);
	return 0;
}

Test(alpha, per_label_by_hand_and_by_recoding)
{
	static const char *const rows[][3] = {{"u1", "w1", "A"}, {"u1", "w2", "A"}, {"u2", "w1", "A"},
					      {"u2", "w2", "B"}, {"u3", "w1", "C"}, {"u3", "w3", "C"},
					      {"u4", "w2", "B"}, {"u4", "w3", "B"}, {"u5", "w1", "A"}};
	fc_answers *a = set_of(rows, 9); /* u5 has one answer: not pairable */
	double alpha[8];
	fc_err err = {0};
	cr_assert_eq(fc_agreement_alpha_per_label(a, alpha, &err), 0);
	cr_expect_float_eq(label_alpha(a, alpha, "A"), 8.0 / 15, 1e-12);
	cr_expect_float_eq(label_alpha(a, alpha, "B"), 8.0 / 15, 1e-12);
	cr_expect_float_eq(label_alpha(a, alpha, "C"), 1.0, 1e-12);
	/* the same as alpha over the answers recoded A / not A */
	static const char *const recoded[][3] = {{"u1", "w1", "A"}, {"u1", "w2", "A"}, {"u2", "w1", "A"},
						 {"u2", "w2", "x"}, {"u3", "w1", "x"}, {"u3", "w3", "x"},
						 {"u4", "w2", "x"}, {"u4", "w3", "x"}};
	fc_answers *r = set_of(recoded, 8);
	double whole;
	cr_assert_eq(fc_agreement_alpha(r, FC_LEVEL_NOMINAL, &whole, &err), 0);
	cr_expect_float_eq(label_alpha(a, alpha, "A"), whole, 1e-12);
	fc_answers_free(r);
	fc_answers_free(a);
	/* a label everyone always uses has no alpha; two who agree on one item
	 * have no chance-corrected kappa either */
	static const char *const same[][3] = {{"u1", "w1", "A"}, {"u1", "w2", "A"}};
	a = set_of(same, 2);
	cr_assert_eq(fc_agreement_alpha_per_label(a, alpha, &err), 0);
	cr_expect(isnan(alpha[0]));
	fc_pair_agreement *p = NULL;
	size_t n = 0;
	cr_assert_eq(fc_agreement_pairs(a, 1, &p, &n, &err), 0);
	cr_assert_eq(n, 1);
	cr_expect(isnan(p[0].kappa));
	cr_expect_float_eq(p[0].observed, 1.0, 1e-12);
	free(p);
	fc_answers_free(a);
}

Test(cohen, pairs_reproduce_the_two_worker_kappa)
{
	/* A and B: Wikipedia's 50 items (kappa 0.4, 35 of 50 the same); C
	 * answers p0 only, so the pair (B, C) and (A, C) have 1 in common */
	fc_answers *a = cohen_answers(1, 0);
	fc_pair_agreement *p = NULL;
	size_t n = 0;
	fc_err err = {0};
	cr_assert_eq(fc_agreement_pairs(a, 1, &p, &n, &err), 0);
	cr_assert_eq(n, 3);
	cr_expect_eq(p[0].common, 50);
	cr_expect_float_eq(p[0].observed, 0.7, 1e-12);
	cr_expect_float_eq(p[0].kappa, 0.4, 1e-12);
	/* p0: A and B said yes, C no */
	cr_expect_eq(p[1].common, 1);
	cr_expect_float_eq(p[1].observed, 0.0, 1e-12);
	cr_expect_float_eq(p[1].kappa, 0.0, 1e-12, "pe = 1·0 + 0·1 = 0");
	free(p);
	cr_assert_eq(fc_agreement_pairs(a, 2, &p, &n, &err), 0);
	cr_expect_eq(n, 1, "min_common drops the thin pairs");
	const char *x = fc_answers_worker_name(a, p[0].a), *y = fc_answers_worker_name(a, p[0].b);
	cr_expect(!strcmp(x, "A") ? !strcmp(y, "B") : !strcmp(x, "B") && !strcmp(y, "A"), "%s %s", x, y);
	free(p);
	fc_answers_free(a);
}

Test(level, parse)
{
	fc_level l;
	cr_assert_eq(fc_level_parse("ratio", &l), 0);
	cr_assert_eq(l, FC_LEVEL_RATIO);
	cr_assert_eq(fc_level_parse("Ratio", &l), FC_EINVAL);
}

/* ---- the agreement subcommand ------------------------------------------- */

static char *kripp_csv(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fputs("question,worker,answer\r\n", f);
	for (int u = 0; u < 12; u++)
		for (int c = 0; c < 4; c++)
			if (kripp[c][u])
				fprintf(f, "u%d,%c,%d\r\n", u + 1, 'A' + c, kripp[c][u]);
	fclose(f);
	return buf;
}

struct run {
	int status;
	char *out, *err;
	size_t out_len, err_len;
};

static struct run run_agreement(const char *input, int argc, char **argv)
{
	struct run r = {0};
	FILE *in = fmemopen((void *)input, strlen(input) ? strlen(input) : 1, "rb");
	FILE *out = open_memstream(&r.out, &r.out_len);
	FILE *err = open_memstream(&r.err, &r.err_len);
	cr_assert(in && out && err);
	r.status = fc_quality_cli_agreement_io(argc, argv, in, out, err);
	fclose(in);
	fclose(out);
	fclose(err);
	return r;
}

Test(agreement_cli, prints_six_decimals)
{
	char *csv = kripp_csv();
	const char *levels[] = {"nominal", "ordinal", "interval", "ratio"};
	const char *want[] = {"0.743421\n", "0.815388\n", "0.849107\n", "0.797403\n"};
	for (int i = 0; i < 4; i++) {
		char *argv[] = {"agreement", "--metric", "alpha", "--level", (char *)levels[i], "-"};
		struct run r = run_agreement(csv, 6, argv);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert_str_eq(r.out, want[i]);
		free(r.out);
		free(r.err);
	}
	char *argv[] = {"agreement", "--metric=alpha", "-"};
	struct run r = run_agreement(csv, 3, argv);
	cr_assert_str_eq(r.out, "0.743421\n");
	free(r.out);
	free(r.err);

	char *fleiss[] = {"agreement", "--metric", "fleiss", "-"};
	r = run_agreement(csv, 4, fleiss);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, "same number of answers"), "%s", r.err);
	free(r.out);
	free(r.err);
	free(csv);

	char *cohen[] = {"agreement", "--metric", "cohen", "-"};
	r = run_agreement("question,worker,answer\nq1,A,y\nq1,B,y\nq2,A,n\nq2,B,y\n", 4, cohen);
	cr_assert_eq(r.status, 0, "%s", r.err);
	/* p_o = 1/2, p_e = (1/2·1 + 1/2·0) = 1/2 → 0 */
	cr_assert_str_eq(r.out, "0.000000\n");
	free(r.out);
	free(r.err);
}

Test(agreement_cli, usage_and_runtime_errors)
{
	char *help[] = {"agreement", "--help"};
	struct run r = run_agreement("", 2, help);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "usage: faircrowd agreement"));
	free(r.out);
	free(r.err);

	char *no_metric[] = {"agreement", "-"};
	char *bad_metric[] = {"agreement", "--metric", "kappa", "-"};
	char *bad_level[] = {"agreement", "--metric", "alpha", "--level", "cardinal", "-"};
	char *level_fleiss[] = {"agreement", "--metric", "fleiss", "--level", "interval", "-"};
	char *no_file[] = {"agreement", "--metric", "alpha"};
	char **usage[] = {no_metric, bad_metric, bad_level, level_fleiss, no_file};
	int argcs[] = {2, 4, 6, 6, 3};
	for (int i = 0; i < 5; i++) {
		r = run_agreement("question,worker,answer\nq,w,a\n", argcs[i], usage[i]);
		cr_assert_eq(r.status, 2, "case %d", i);
		cr_assert(r.err_len > 0 && strchr(r.err, '\n') == r.err + r.err_len - 1, "%s", r.err);
		free(r.out);
		free(r.err);
	}

	char *interval[] = {"agreement", "--metric", "alpha", "--level", "interval", "-"};
	r = run_agreement("question,worker,answer\nq1,A,1\nq1,B,big\n", 6, interval);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, "\"big\" is not a number"), "%s", r.err);
	free(r.out);
	free(r.err);

	char *missing[] = {"agreement", "--metric", "alpha", "/nonexistent.csv"};
	r = run_agreement("", 4, missing);
	cr_assert_eq(r.status, 1);
	free(r.out);
	free(r.err);

	char *alpha[] = {"agreement", "--metric", "alpha", "-"};
	r = run_agreement("question,worker,answer\nq1,A,1\n\"q2,B,2\n", 4, alpha);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, "line 4"), "%s", r.err);
	free(r.out);
	free(r.err);
}
