/* answers.h — crowd answers as dense integer ids, the input of every
 * aggregation and agreement function.
 *
 * Question, worker and answer strings are interned to dense ids (0..n-1) so
 * the algorithms run on flat arrays. Questions and workers are numbered in
 * first-seen order, which is also the output order. Answer labels are
 * renumbered by fc_answers_finish into a canonical order (numeric when every
 * label is a number, bytewise otherwise), so label ids — and therefore
 * tie-breaking — do not depend on the order answers arrive in.
 *
 * Life cycle: fc_answers_new → fc_answers_add… → fc_answers_finish → read
 * the fields / call aggregate and agreement functions → fc_answers_free.
 * fc_answers_read_csv does the first three steps from a file. */
#ifndef FC_QUALITY_ANSWERS_H
#define FC_QUALITY_ANSWERS_H

#include "core/err.h"

#include <stdint.h>
#include <stdio.h>

struct fc_intern; /* private string table */

typedef struct fc_answers {
	/* Read-only after fc_answers_finish. Answers are grouped by question:
	 * the answers to question q are indices q_start[q] .. q_start[q+1]-1
	 * of worker[] and label[]. */
	size_t n; /* answers */
	size_t n_questions;
	size_t n_workers;
	size_t n_labels;
	int32_t *worker;     /* [n] worker id of each answer */
	int32_t *label;      /* [n] label id of each answer */
	size_t *q_start;     /* [n_questions + 1] */
	int labels_numeric;  /* every label parses as a finite number */
	double *label_value; /* [n_labels] the label as a number, NaN if it is not one */
	int finished;

	/* private */
	int32_t *question; /* [n] before finish, in arrival order */
	size_t cap;
	struct fc_intern *questions, *workers, *labels;
	size_t *line; /* [n] source line of each answer (CSV), 0 from fc_answers_add */
} fc_answers;

/* Returns a new empty set, or NULL when out of memory. Free with
 * fc_answers_free. */
fc_answers *fc_answers_new(void);
void fc_answers_free(fc_answers *a);

/* Adds one answer. Strings are copied. Fails with FC_EINVAL when a string
 * is empty or after fc_answers_finish; FC_ENOMEM; FC_ETOOBIG past INT32_MAX
 * answers. A worker answering a question twice is caught by finish. */
int fc_answers_add(fc_answers *a, const char *question, const char *worker, const char *answer, fc_err *err);

/* Groups answers by question, renumbers labels canonically and frees the
 * lookup tables. Further adds fail. Idempotent. FC_EINVAL
 * ("duplicate_answer") when a worker answered a question more than once,
 * naming the first such answer in arrival order (and its CSV line); the set
 * is then left unfinished. */
int fc_answers_finish(fc_answers *a, fc_err *err);

/* Reads CSV with the header question,worker,answer (columns in any order,
 * nothing else), LF or CRLF line ends, RFC 4180 quoting; blank lines are
 * skipped. Errors name the line: FC_EINVAL for malformed input, FC_EIO for
 * read failures. On success *out is a finished set owned by the caller. */
int fc_answers_read_csv(FILE *in, fc_answers **out, fc_err *err);

/* Original strings by id. The pointers stay valid until the next
 * fc_answers_add or fc_answers_free. */
const char *fc_answers_question_name(const fc_answers *a, int32_t id);
const char *fc_answers_worker_name(const fc_answers *a, int32_t id);
const char *fc_answers_label_name(const fc_answers *a, int32_t id);

#endif
