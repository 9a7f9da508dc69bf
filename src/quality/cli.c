#include "quality/cli.h"

#include "quality/aggregate.h"
#include "quality/agreement.h"
#include "quality/text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_USAGE = 2 };

static const char aggregate_usage[] = "usage: faircrowd aggregate --method mv|ds|ods|glad|mace|ebcc|auto|median|text\n"
				      "                          [--seed N] FILE\n"
				      "\n"
				      "Aggregates crowd answers into one label per question.\n"
				      "FILE is CSV with the header question,worker,answer (\"-\" for stdin).\n"
				      "Writes CSV question,label,confidence, one row per question in input order.\n"
				      "\n"
				      "  --method mv    majority vote; ties go to the smallest label\n"
				      "  --method ds    Dawid-Skene EM with a confusion matrix per worker\n"
				      "  --method ods   one-coin Dawid-Skene (one accuracy per worker)\n"
				      "  --method glad  GLAD: worker ability times question easiness\n"
				      "  --method mace  MACE: each worker spams with its own probability and\n"
				      "                 label distribution, else answers the truth\n"
				      "  --method ebcc  EBCC: confusion matrices per class subtype, which\n"
				      "                 model workers whose errors are correlated\n"
				      "  --method auto  fits ds, ods, glad, mace and ebcc on 4/5 of the\n"
				      "                 answers and scores each one's labels on the held-out\n"
				      "                 fifth (5 folds); keeps ds unless another is better\n"
				      "                 by more than 2 standard errors; names it on stderr\n"
				      "  --method median  numeric answers: the median; confidence = share of\n"
				      "                 answers equal to it\n"
				      "  --method text  transcriptions: the answer closest to all others (word\n"
				      "                 edit distance); confidence = 1 - its mean distance\n"
				      "  --seed N       accepted for reproducible pipelines; every method is\n"
				      "                 deterministic, so it does not change the output\n"
				      "  --help         show this help\n";

static const char agreement_usage[] = "usage: faircrowd agreement --metric alpha|fleiss|cohen "
				      "[--level nominal|ordinal|interval|ratio] FILE\n"
				      "\n"
				      "Measures inter-annotator agreement on CSV question,worker,answer\n"
				      "(\"-\" for stdin) and prints the coefficient with 6 decimals.\n"
				      "\n"
				      "  --metric alpha   Krippendorff's alpha; missing answers allowed\n"
				      "  --metric fleiss  Fleiss' kappa; same number of answers per question\n"
				      "  --metric cohen   Cohen's kappa; exactly two workers\n"
				      "  --level L        alpha's level of measurement (default nominal);\n"
				      "                   ordinal, interval and ratio need numeric answers\n"
				      "  --help           show this help\n";

struct opt {
	const char *name;
	const char **value;
};

/* Accepts "--name value" and "--name=value"; one positional FILE.
 * Returns 0, 1 for --help, or EXIT_USAGE after printing the message. */
static int parse_args(int argc, char **argv, const struct opt *opts, const char **file, const char *cmd, FILE *errs)
{
	int only_files = 0;
	*file = NULL;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!only_files && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0))
			return 1;
		if (!only_files && strcmp(arg, "--") == 0) {
			only_files = 1;
			continue;
		}
		if (!only_files && arg[0] == '-' && arg[1] != '\0') {
			const struct opt *o = opts;
			size_t len = strcspn(arg, "=");
			for (; o->name; o++)
				if (strlen(o->name) == len && strncmp(arg, o->name, len) == 0)
					break;
			if (!o->name) {
				fprintf(errs, "faircrowd %s: unknown option '%.*s' (see --help)\n", cmd, (int)len, arg);
				return EXIT_USAGE;
			}
			if (arg[len] == '=') {
				*o->value = arg + len + 1;
			} else if (i + 1 < argc) {
				*o->value = argv[++i];
			} else {
				fprintf(errs, "faircrowd %s: option '%s' needs a value\n", cmd, o->name);
				return EXIT_USAGE;
			}
			continue;
		}
		if (*file) {
			fprintf(errs, "faircrowd %s: expected one FILE, got '%s' and '%s'\n", cmd, *file, arg);
			return EXIT_USAGE;
		}
		*file = arg;
	}
	if (!*file) {
		fprintf(errs, "faircrowd %s: missing FILE (use - for stdin; see --help)\n", cmd);
		return EXIT_USAGE;
	}
	return 0;
}

/* Reads the answers; on failure prints one line and returns 1. */
static int load(const char *cmd, const char *file, FILE *in, fc_answers **a, FILE *errs)
{
	fc_err err = {0};
	FILE *f = strcmp(file, "-") == 0 ? in : fopen(file, "rb");
	if (!f) {
		fprintf(errs, "faircrowd %s: cannot open %s: %s\n", cmd, file, strerror(errno));
		return 1;
	}
	int rc = fc_answers_read_csv(f, a, &err);
	if (f != in)
		fclose(f);
	if (rc) {
		fprintf(errs, "faircrowd %s: %s: %s\n", cmd, strcmp(file, "-") == 0 ? "stdin" : file, err.msg);
		fc_err_clear(&err);
		return 1;
	}
	return 0;
}

/* RFC 4180: quote only when the field needs it. */
static void put_field(FILE *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, out);
		return;
	}
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

static int finish_output(const char *cmd, FILE *out, FILE *errs)
{
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(errs, "faircrowd %s: cannot write output: %s\n", cmd, strerror(errno));
		return 1;
	}
	return 0;
}

/* --method text: each question's medoid answer (quality/text.h). */
static int text_medoids(const char *cmd, const fc_answers *a, FILE *out, FILE *errs)
{
	fc_err err = {0};
	fputs("question,label,confidence\n", out);
	for (size_t q = 0; q < a->n_questions; q++) {
		size_t n = a->q_start[q + 1] - a->q_start[q], best;
		const char **texts = malloc((n ? n : 1) * sizeof *texts);
		double conf;
		if (!texts) {
			fprintf(errs, "faircrowd %s: out of memory\n", cmd);
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			texts[i] = fc_answers_label_name(a, a->label[a->q_start[q] + i]);
		int rc = fc_text_medoid(texts, n, &best, &conf, &err);
		if (!rc) {
			put_field(out, fc_answers_question_name(a, (int32_t)q));
			putc(',', out);
			put_field(out, texts[best]);
			fprintf(out, ",%.6f\n", conf);
		}
		free(texts);
		if (rc) {
			fprintf(errs, "faircrowd %s: %s\n", cmd, err.msg);
			fc_err_clear(&err);
			return 1;
		}
	}
	return finish_output(cmd, out, errs);
}

int fc_quality_cli_aggregate_io(int argc, char **argv, FILE *in, FILE *out, FILE *errs)
{
	const char *cmd = "aggregate", *method = NULL, *seed = NULL, *file;
	const struct opt opts[] = {{"--method", &method}, {"--seed", &seed}, {NULL, NULL}};
	fc_answers *a = NULL;
	fc_aggregate r = {0};
	fc_err err = {0};
	int status = parse_args(argc, argv, opts, &file, cmd, errs);
	if (status == 1) {
		fputs(aggregate_usage, out);
		return finish_output(cmd, out, errs);
	}
	if (status)
		return status;
	if (!method) {
		fprintf(errs, "faircrowd %s: missing --method (mv, ds, ods, glad, mace, ebcc, auto, median or text)\n",
			cmd);
		return EXIT_USAGE;
	}
	int median = !strcmp(method, "median"), text = !strcmp(method, "text"), m = fc_method_parse(method);
	if (m < 0 && !median && !text) {
		fprintf(errs,
			"faircrowd %s: unknown method '%s' (expected mv, ds, ods, glad, mace, ebcc, auto, median or "
			"text)\n",
			cmd, method);
		return EXIT_USAGE;
	}
	if (seed) {
		char *end;
		errno = 0;
		(void)strtoull(seed, &end, 10);
		if (!*seed || *end || errno || seed[0] == '-') {
			fprintf(errs, "faircrowd %s: --seed needs a non-negative integer, got '%s'\n", cmd, seed);
			return EXIT_USAGE;
		}
	}
	if ((status = load(cmd, file, in, &a, errs)))
		return status;
	if (text) {
		status = text_medoids(cmd, a, out, errs);
		goto out;
	}
	int rc = median ? fc_aggregate_median(a, 0, &r, &err) : fc_aggregate_run((fc_method)m, a, NULL, &r, &err);
	if (rc) {
		fprintf(errs, "faircrowd %s: %s\n", cmd, err.msg);
		status = 1;
		goto out;
	}
	if (m == FC_METHOD_AUTO) {
		fprintf(errs, "faircrowd %s: auto chose %s; held-out log-likelihood per answer:", cmd,
			fc_method_name(r.method));
		for (int c = 0; c < FC_METHOD_COUNT; c++)
			if (c != FC_METHOD_AUTO && c != FC_METHOD_MV)
				fprintf(errs, " %s %.5f", fc_method_name((fc_method)c), r.score[c]);
		putc('\n', errs);
	}
	fputs("question,label,confidence\n", out);
	for (size_t q = 0; q < r.n_questions; q++) {
		put_field(out, fc_answers_question_name(a, (int32_t)q));
		putc(',', out);
		if (median)
			fprintf(out, "%.17g", r.value[q]);
		else
			put_field(out, fc_answers_label_name(a, r.label[q]));
		fprintf(out, ",%.6f\n", r.confidence[q]);
	}
	status = finish_output(cmd, out, errs);
out:
	fc_err_clear(&err);
	fc_aggregate_free(&r);
	fc_answers_free(a);
	return status;
}

int fc_quality_cli_agreement_io(int argc, char **argv, FILE *in, FILE *out, FILE *errs)
{
	const char *cmd = "agreement", *metric = NULL, *level_name = NULL, *file;
	const struct opt opts[] = {{"--metric", &metric}, {"--level", &level_name}, {NULL, NULL}};
	fc_answers *a = NULL;
	fc_err err = {0};
	fc_level level = FC_LEVEL_NOMINAL;
	int status = parse_args(argc, argv, opts, &file, cmd, errs);
	if (status == 1) {
		fputs(agreement_usage, out);
		return finish_output(cmd, out, errs);
	}
	if (status)
		return status;
	if (!metric) {
		fprintf(errs, "faircrowd %s: missing --metric (alpha, fleiss or cohen)\n", cmd);
		return EXIT_USAGE;
	}
	if (strcmp(metric, "alpha") && strcmp(metric, "fleiss") && strcmp(metric, "cohen")) {
		fprintf(errs, "faircrowd %s: unknown metric '%s' (expected alpha, fleiss or cohen)\n", cmd, metric);
		return EXIT_USAGE;
	}
	if (level_name && fc_level_parse(level_name, &level)) {
		fprintf(errs,
			"faircrowd %s: unknown level '%s' (expected nominal, ordinal, interval or "
			"ratio)\n",
			cmd, level_name);
		return EXIT_USAGE;
	}
	if (level != FC_LEVEL_NOMINAL && strcmp(metric, "alpha")) {
		fprintf(errs, "faircrowd %s: --level %s applies only to --metric alpha\n", cmd, level_name);
		return EXIT_USAGE;
	}
	if ((status = load(cmd, file, in, &a, errs)))
		return status;
	double value = 0;
	int rc = strcmp(metric, "alpha") == 0    ? fc_agreement_alpha(a, level, &value, &err)
		 : strcmp(metric, "fleiss") == 0 ? fc_agreement_fleiss(a, &value, &err)
						 : fc_agreement_cohen(a, &value, &err);
	if (rc) {
		fprintf(errs, "faircrowd %s: %s\n", cmd, err.msg);
		status = 1;
		goto out;
	}
	fprintf(out, "%.6f\n", value);
	status = finish_output(cmd, out, errs);
out:
	fc_err_clear(&err);
	fc_answers_free(a);
	return status;
}

int fc_quality_cli_aggregate(int argc, char **argv)
{
	return fc_quality_cli_aggregate_io(argc, argv, stdin, stdout, stderr);
}

int fc_quality_cli_agreement(int argc, char **argv)
{
	return fc_quality_cli_agreement_io(argc, argv, stdin, stdout, stderr);
}
