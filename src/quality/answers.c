#include "quality/answers.h"

#include "core/buf.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- string interning ---------------------------------------------------
 * Names live back to back, NUL-terminated, in one pool so that a million
 * answers cost a few allocations rather than millions; ids index off[]. */
struct fc_intern {
	char *pool;
	size_t pool_len, pool_cap;
	size_t *off;    /* [count] start of each name in pool */
	uint32_t *hash; /* [count] kept so the slot table can grow without rehashing strings */
	size_t count, cap;
	int32_t *slots; /* open addressing, -1 = empty; NULL once sealed */
	size_t mask;
};

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static struct fc_intern *intern_new(void)
{
	struct fc_intern *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->mask = 63;
	t->slots = malloc((t->mask + 1) * sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	memset(t->slots, 0xff, (t->mask + 1) * sizeof *t->slots);
	return t;
}

static void intern_free(struct fc_intern *t)
{
	if (!t)
		return;
	free(t->pool);
	free(t->off);
	free(t->hash);
	free(t->slots);
	free(t);
}

static int intern_grow_slots(struct fc_intern *t)
{
	size_t n = (t->mask + 1) * 2;
	int32_t *slots = malloc(n * sizeof *slots);
	if (!slots)
		return FC_ENOMEM;
	memset(slots, 0xff, n * sizeof *slots);
	for (size_t id = 0; id < t->count; id++) {
		size_t i = t->hash[id] & (n - 1);
		while (slots[i] >= 0)
			i = (i + 1) & (n - 1);
		slots[i] = (int32_t)id;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = n - 1;
	return 0;
}

/* Finds or adds s[0..n). Sets *id; returns 0, FC_ENOMEM or FC_ETOOBIG. */
static int intern(struct fc_intern *t, const char *s, size_t n, int32_t *id)
{
	uint32_t h = hash_bytes(s, n);
	size_t i = h & t->mask;
	for (int32_t k; (k = t->slots[i]) >= 0; i = (i + 1) & t->mask) {
		const char *name = t->pool + t->off[k];
		if (t->hash[k] == h && memcmp(name, s, n) == 0 && name[n] == '\0') {
			*id = k;
			return 0;
		}
	}
	if (t->count >= INT32_MAX)
		return FC_ETOOBIG;
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		size_t *off = realloc(t->off, cap * sizeof *off);
		if (!off)
			return FC_ENOMEM;
		t->off = off;
		uint32_t *hash = realloc(t->hash, cap * sizeof *hash);
		if (!hash)
			return FC_ENOMEM;
		t->hash = hash;
		t->cap = cap;
	}
	if (t->pool_len + n + 1 > t->pool_cap) {
		size_t cap = t->pool_cap ? t->pool_cap : 1024;
		while (cap < t->pool_len + n + 1)
			cap *= 2;
		char *pool = realloc(t->pool, cap);
		if (!pool)
			return FC_ENOMEM;
		t->pool = pool;
		t->pool_cap = cap;
	}
	memcpy(t->pool + t->pool_len, s, n);
	t->pool[t->pool_len + n] = '\0';
	t->off[t->count] = t->pool_len;
	t->hash[t->count] = h;
	t->pool_len += n + 1;
	t->slots[i] = (int32_t)t->count;
	*id = (int32_t)t->count++;
	/* Half full keeps probe chains short. */
	if (t->count * 2 > t->mask + 1)
		return intern_grow_slots(t);
	return 0;
}

/* Drops the lookup table once no more names can arrive. */
static void intern_seal(struct fc_intern *t)
{
	free(t->slots);
	t->slots = NULL;
	free(t->hash);
	t->hash = NULL;
}

static const char *intern_name(const struct fc_intern *t, int32_t id)
{
	if (!t || id < 0 || (size_t)id >= t->count)
		return NULL;
	return t->pool + t->off[id];
}

/* ---- the answer set ---------------------------------------------------- */

fc_answers *fc_answers_new(void)
{
	fc_answers *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->questions = intern_new();
	a->workers = intern_new();
	a->labels = intern_new();
	if (!a->questions || !a->workers || !a->labels) {
		fc_answers_free(a);
		return NULL;
	}
	return a;
}

void fc_answers_free(fc_answers *a)
{
	if (!a)
		return;
	free(a->question);
	free(a->worker);
	free(a->label);
	free(a->q_start);
	free(a->label_value);
	intern_free(a->questions);
	intern_free(a->workers);
	intern_free(a->labels);
	free(a->line);
	free(a);
}

static int reserve(fc_answers *a)
{
	if (a->n < a->cap)
		return 0;
	size_t cap = a->cap ? a->cap * 2 : 1024;
	int32_t *q = realloc(a->question, cap * sizeof *q);
	if (!q)
		return FC_ENOMEM;
	a->question = q;
	int32_t *w = realloc(a->worker, cap * sizeof *w);
	if (!w)
		return FC_ENOMEM;
	a->worker = w;
	int32_t *l = realloc(a->label, cap * sizeof *l);
	if (!l)
		return FC_ENOMEM;
	a->label = l;
	size_t *line = realloc(a->line, cap * sizeof *line);
	if (!line)
		return FC_ENOMEM;
	a->line = line;
	a->cap = cap;
	return 0;
}

/* "line N: " for error messages, "" without a line (the builder API). */
static const char *where_line(char *buf, size_t size, size_t line)
{
	if (!line)
		return "";
	snprintf(buf, size, "line %zu: ", line);
	return buf;
}

/* The CSV reader passes lengths it already knows and the line (0 from the
 * builder API). */
static int add_answer(fc_answers *a, const char *q, size_t qn, const char *w, size_t wn, const char *l, size_t ln,
		      size_t line, fc_err *err)
{
	int rc = 0;
	int32_t qi, wi, li;
	char where[48];
	if (a->finished)
		return fc_err_set(err, FC_EINVAL, "answers_finished", NULL,
				  "answers cannot be added after fc_answers_finish");
	if (!qn || !wn || !ln)
		return fc_err_set(err, FC_EINVAL, "empty_value",
				  !qn   ? "question"
				  : !wn ? "worker"
					: "answer",
				  "%sempty %s", where_line(where, sizeof where, line),
				  !qn   ? "question"
				  : !wn ? "worker"
					: "answer");
	if (a->n >= INT32_MAX)
		return fc_err_set(err, FC_ETOOBIG, NULL, NULL, "%stoo many answers (limit %d)",
				  where_line(where, sizeof where, line), INT32_MAX);
	if ((rc = reserve(a)) || (rc = intern(a->questions, q, qn, &qi)) || (rc = intern(a->workers, w, wn, &wi)) ||
	    (rc = intern(a->labels, l, ln, &li)))
		goto out;
	a->question[a->n] = qi;
	a->line[a->n] = line;
	a->worker[a->n] = wi;
	a->label[a->n] = li;
	a->n++;
	a->n_questions = a->questions->count;
	a->n_workers = a->workers->count;
	a->n_labels = a->labels->count;
out:
	if (rc == FC_ENOMEM)
		fc_err_set(err, rc, NULL, NULL, "out of memory reading answers");
	else if (rc == FC_ETOOBIG)
		fc_err_set(err, rc, NULL, NULL, "too many distinct names (limit %d)", INT32_MAX);
	return rc;
}

int fc_answers_add(fc_answers *a, const char *question, const char *worker, const char *answer, fc_err *err)
{
	return add_answer(a, question, strlen(question), worker, strlen(worker), answer, strlen(answer), 0, err);
}

/* Strict: the whole string must be a finite decimal number, so labels such
 * as "1a", " 2" or "0x1F" stay categorical. */
static int parse_number(const char *s, double *v)
{
	if (!*s || isspace((unsigned char)*s) || strpbrk(s, "xXpP"))
		return 0;
	char *end;
	*v = strtod(s, &end);
	return *end == '\0' && isfinite(*v);
}

struct label_key {
	double value;
	const char *name;
	int32_t id;
	int numeric;
};

static int label_key_cmp(const void *pa, const void *pb)
{
	const struct label_key *a = pa, *b = pb;
	if (a->numeric && a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* A worker who answered a question twice: the answers grouped by question
 * (a counting sort that keeps arrival order), each worker stamped with the
 * last question seen, so the check is two sequential passes and a table of
 * n_workers stamps instead of a hash set of every pair probed at random
 * (that was two thirds of reading a million answers). The error names the
 * earliest repeat in arrival order, as a check at add time would. */
static int check_duplicates(const fc_answers *a, fc_err *err)
{
	size_t nq = a->n_questions, first = SIZE_MAX;
	size_t *start = calloc(nq + 1, sizeof *start);
	int32_t *order = malloc((a->n ? a->n : 1) * sizeof *order);
	int32_t *stamp = malloc((a->n_workers ? a->n_workers : 1) * sizeof *stamp);
	if (!start || !order || !stamp) {
		free(start);
		free(order);
		free(stamp);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory grouping answers");
	}
	for (size_t i = 0; i < a->n; i++)
		start[a->question[i] + 1]++;
	for (size_t q = 0; q < nq; q++)
		start[q + 1] += start[q];
	for (size_t i = 0; i < a->n; i++)
		order[start[a->question[i]]++] = (int32_t)i; /* start[q] ends at q's end */
	memset(stamp, 0xff, (a->n_workers ? a->n_workers : 1) * sizeof *stamp);
	for (size_t q = 0, j = 0; q < nq; q++)
		for (; j < start[q]; j++) {
			size_t i = (size_t)order[j];
			int32_t w = a->worker[i];
			if (stamp[w] == (int32_t)q && i < first)
				first = i;
			stamp[w] = (int32_t)q;
		}
	free(start);
	free(order);
	free(stamp);
	if (first == SIZE_MAX)
		return 0;
	char where[48];
	return fc_err_set(err, FC_EINVAL, "duplicate_answer", NULL,
			  "%sworker \"%s\" answered question \"%s\" more than once",
			  where_line(where, sizeof where, a->line[first]), intern_name(a->workers, a->worker[first]),
			  intern_name(a->questions, a->question[first]));
}

int fc_answers_finish(fc_answers *a, fc_err *err)
{
	int rc = 0;
	struct label_key *keys = NULL;
	int32_t *remap = NULL, *worker = NULL, *label = NULL;
	size_t *off = NULL;
	if (a->finished)
		return 0;
	size_t nl = a->n_labels, nq = a->n_questions;
	if ((rc = check_duplicates(a, err)))
		return rc;

	keys = malloc((nl ? nl : 1) * sizeof *keys);
	remap = malloc((nl ? nl : 1) * sizeof *remap);
	off = malloc((nl ? nl : 1) * sizeof *off);
	a->label_value = calloc(nl ? nl : 1, sizeof *a->label_value);
	a->q_start = calloc(nq + 1, sizeof *a->q_start);
	worker = malloc((a->n ? a->n : 1) * sizeof *worker);
	label = malloc((a->n ? a->n : 1) * sizeof *label);
	if (!keys || !remap || !off || !a->label_value || !a->q_start || !worker || !label) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory grouping answers");
		goto out;
	}

	int numeric = nl > 0;
	for (size_t i = 0; i < nl; i++) {
		keys[i].name = intern_name(a->labels, (int32_t)i);
		keys[i].id = (int32_t)i;
		if (!parse_number(keys[i].name, &keys[i].value)) {
			keys[i].value = NAN;
			numeric = 0;
		}
	}
	for (size_t i = 0; i < nl; i++)
		keys[i].numeric = numeric;
	qsort(keys, nl, sizeof *keys, label_key_cmp);
	for (size_t i = 0; i < nl; i++) {
		remap[keys[i].id] = (int32_t)i;
		off[i] = a->labels->off[keys[i].id];
		a->label_value[i] = keys[i].value;
	}
	if (nl)
		memcpy(a->labels->off, off, nl * sizeof *off);
	a->labels_numeric = numeric;

	/* Counting sort by question keeps arrival order within a question and
	 * lets every algorithm walk one question's answers contiguously. */
	for (size_t i = 0; i < a->n; i++)
		a->q_start[a->question[i] + 1]++;
	for (size_t q = 0; q < nq; q++)
		a->q_start[q + 1] += a->q_start[q];
	for (size_t i = 0; i < a->n; i++) {
		size_t at = a->q_start[a->question[i]]++;
		worker[at] = a->worker[i];
		label[at] = remap[a->label[i]];
	}
	for (size_t q = nq; q > 0; q--)
		a->q_start[q] = a->q_start[q - 1];
	a->q_start[0] = 0;

	free(a->worker);
	free(a->label);
	free(a->question);
	a->worker = worker;
	a->label = label;
	a->question = NULL;
	worker = label = NULL;
	intern_seal(a->questions);
	intern_seal(a->workers);
	intern_seal(a->labels);
	free(a->line);
	a->line = NULL;
	a->finished = 1;
out:
	free(keys);
	free(remap);
	free(off);
	free(worker);
	free(label);
	return rc;
}

const char *fc_answers_question_name(const fc_answers *a, int32_t id) { return intern_name(a->questions, id); }

const char *fc_answers_worker_name(const fc_answers *a, int32_t id) { return intern_name(a->workers, id); }

const char *fc_answers_label_name(const fc_answers *a, int32_t id) { return intern_name(a->labels, id); }

/* ---- CSV ---------------------------------------------------------------- */

enum { MAX_FIELDS = 3 };

struct csv {
	FILE *in;
	char buf[65536];
	size_t pos, len;
	int eof;
	size_t line; /* physical line of the next byte */
	fc_buf rec;  /* the record's fields, each NUL-terminated */
	size_t start[MAX_FIELDS];
	size_t flen[MAX_FIELDS];
	size_t nfields; /* may exceed MAX_FIELDS; extras are counted, not kept */
	int quoted;     /* some field of the record was quoted */
};

static int csv_get(struct csv *c)
{
	if (c->pos == c->len) {
		if (c->eof)
			return EOF;
		c->len = fread(c->buf, 1, sizeof c->buf, c->in);
		c->pos = 0;
		if (c->len == 0) {
			c->eof = 1;
			return EOF;
		}
	}
	return (unsigned char)c->buf[c->pos++];
}

static int csv_peek(struct csv *c)
{
	int ch = csv_get(c);
	if (ch != EOF)
		c->pos--;
	return ch;
}

static int field_byte(struct csv *c, int ch)
{
	char b = (char)ch;
	return c->nfields < MAX_FIELDS ? fc_buf_append(&c->rec, &b, 1) : 0;
}

static int field_end(struct csv *c)
{
	if (c->nfields < MAX_FIELDS) {
		c->flen[c->nfields] = c->rec.len - c->start[c->nfields];
		if (fc_buf_append(&c->rec, "", 1))
			return FC_ENOMEM;
	}
	c->nfields++;
	if (c->nfields < MAX_FIELDS)
		c->start[c->nfields] = c->rec.len;
	return 0;
}

/* Reads one record. Returns 1 with a record, 0 at end of input, or a
 * negative code with err naming the line. *rec_line gets the record's
 * first line. */
static int csv_record(struct csv *c, size_t *rec_line, fc_err *err)
{
	enum { START, PLAIN, QUOTED, QUOTE_SEEN } st = START;
	fc_buf_reset(&c->rec);
	c->nfields = 0;
	c->start[0] = 0;
	c->quoted = 0;
	*rec_line = c->line;
	int ch = csv_get(c);
	if (ch == EOF)
		return 0;
	for (;; ch = csv_get(c)) {
		if (ch == '\0')
			return fc_err_set(err, FC_EINVAL, "invalid_csv", NULL, "line %zu: NUL byte in CSV", c->line);
		if (st == QUOTED) {
			if (ch == EOF)
				return fc_err_set(err, FC_EINVAL, "invalid_csv", NULL,
						  "line %zu: quoted field opened on line %zu is not closed", c->line,
						  *rec_line);
			if (ch == '"') {
				st = QUOTE_SEEN;
				continue;
			}
			if (ch == '\n')
				c->line++;
			if (field_byte(c, ch))
				return FC_ENOMEM;
			continue;
		}
		if (st == QUOTE_SEEN && ch == '"') {
			if (field_byte(c, ch))
				return FC_ENOMEM;
			st = QUOTED;
			continue;
		}
		if (ch == ',' || ch == '\n' || ch == '\r' || ch == EOF) {
			if (field_end(c))
				return FC_ENOMEM;
			if (ch == ',') {
				st = START;
				continue;
			}
			if (ch == '\r' && csv_peek(c) == '\n')
				csv_get(c);
			if (ch != EOF)
				c->line++;
			return 1;
		}
		if (st == QUOTE_SEEN)
			return fc_err_set(err, FC_EINVAL, "invalid_csv", NULL,
					  "line %zu: unexpected character after a closing quote", c->line);
		if (ch == '"') {
			if (st == PLAIN)
				return fc_err_set(err, FC_EINVAL, "invalid_csv", NULL,
						  "line %zu: quote inside an unquoted field", c->line);
			st = QUOTED;
			c->quoted = 1;
			continue;
		}
		st = PLAIN;
		if (field_byte(c, ch))
			return FC_ENOMEM;
	}
}

static const char *csv_field(const struct csv *c, size_t i) { return c->rec.p + c->start[i]; }

int fc_answers_read_csv(FILE *in, fc_answers **out, fc_err *err)
{
	static const char *const names[MAX_FIELDS] = {"question", "worker", "answer"};
	int rc = 0;
	struct csv *c = calloc(1, sizeof *c);
	fc_answers *a = fc_answers_new();
	int col[MAX_FIELDS] = {-1, -1, -1}; /* col[k] = CSV column holding names[k] */
	int have_header = 0;
	*out = NULL;
	if (!c || !a) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory reading CSV");
		goto out;
	}
	c->in = in;
	c->line = 1;
	for (;;) {
		size_t line;
		rc = csv_record(c, &line, err);
		if (rc == FC_ENOMEM)
			fc_err_set(err, rc, NULL, NULL, "out of memory reading CSV");
		if (rc <= 0)
			break;
		rc = 0;
		if (c->nfields == 1 && !c->quoted && c->flen[0] == 0)
			continue; /* blank line */
		if (c->nfields != MAX_FIELDS) {
			rc = fc_err_set(err, FC_EINVAL, "invalid_csv", NULL,
					"line %zu: expected 3 fields (question,worker,answer), found %zu", line,
					c->nfields);
			goto out;
		}
		if (!have_header) {
			for (int k = 0; k < MAX_FIELDS; k++)
				col[k] = -1;
			for (int i = 0; i < MAX_FIELDS; i++) {
				const char *f = csv_field(c, i);
				if (i == 0 && strncmp(f, "\xEF\xBB\xBF", 3) == 0)
					f += 3; /* UTF-8 byte order mark from spreadsheet exports */
				for (int k = 0; k < MAX_FIELDS; k++)
					if (strcasecmp(f, names[k]) == 0 && col[k] < 0)
						col[k] = i;
			}
			if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
				rc = fc_err_set(err, FC_EINVAL, "invalid_csv", NULL,
						"line %zu: expected the header question,worker,answer", line);
				goto out;
			}
			have_header = 1;
			continue;
		}
		rc = add_answer(a, csv_field(c, col[0]), c->flen[col[0]], csv_field(c, col[1]), c->flen[col[1]],
				csv_field(c, col[2]), c->flen[col[2]], line, err);
		if (rc)
			goto out;
	}
	if (rc)
		goto out;
	if (ferror(in)) {
		rc = fc_err_set(err, FC_EIO, NULL, NULL, "line %zu: read error", c->line);
		goto out;
	}
	if (!have_header) {
		rc = fc_err_set(err, FC_EINVAL, "invalid_csv", NULL,
				"line 1: expected the header question,worker,answer, found no data");
		goto out;
	}
	if ((rc = fc_answers_finish(a, err)))
		goto out;
	*out = a;
	a = NULL;
out:
	if (c)
		fc_buf_free(&c->rec);
	free(c);
	fc_answers_free(a);
	return rc;
}
