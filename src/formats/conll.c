/* CoNLL-2003 style BIO tags from text spans: "token TAG" per line, a blank
 * line after each kept annotation (one block per submission, tasks in id
 * order). The text is the Text object a Labels control reads; spans are that
 * control's value.start/end, counted in Unicode code points as Label Studio
 * stores them. Tokenisation (docs/formats.md): ASCII whitespace separates
 * tokens; each ASCII punctuation character is a token of its own; every
 * other run of characters is one token. A token overlapping a span is tagged
 * B-label when it is the span's first token, I-label after; overlapping
 * spans: the one starting first (then the longer) wins. Spaces in labels
 * become '_' so a line keeps two columns. */
#include "formats/dataset.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct span {
	int64_t start, end;
	const char *label;
} span;

typedef struct state {
	json_t *control; /* the Labels control and the object it reads */
	const char *object;
} state;

/* The first Labels control that reads a Text object, and that object's name. */
static json_t *text_control(const json_t *config, const char **object)
{
	static const char *const types[] = {"labels", NULL};
	json_t *all = fc_ds_controls(config, types), *found = NULL;
	size_t i, j;
	json_t *k, *o;
	json_array_foreach(all, i, k) {
		const char *to = json_string_value(json_array_get(json_object_get(k, "to_name"), 0));
		json_array_foreach(json_object_get(config, "objects"), j, o) {
			const char *name = json_string_value(json_object_get(o, "name"));
			const char *type = json_string_value(json_object_get(o, "type"));
			if (!found && to && name && type && !strcmp(to, name) && !strcmp(type, "text")) {
				found = json_incref(k);
				*object = name;
			}
		}
	}
	json_decref(all);
	return found;
}

static int check(const json_t *config, fc_err *err)
{
	const char *object;
	json_t *k = text_control(config, &object);
	json_decref(k);
	if (k)
		return 0;
	return fc_err_set(err, FC_ERULE, "format_unfit", "format",
			  "The conll format needs a Labels control on a Text object; this project's %s.",
			  config ? "labelling config has none" : "has no labelling config");
}

static int begin(fc_ds_ctx *c)
{
	state *s = c->state;
	s->control = text_control(c->config, &s->object);
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const span *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end; /* the longer first */
}

static int is_punct(unsigned char ch) { return ch < 0x80 && ispunct(ch); }
static int is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int tag(fc_buf *b, const char *prefix, const char *label)
{
	int rc = fc_buf_puts(b, prefix);
	for (const char *p = label; *p; p++)
		rc |= fc_buf_append(b, is_space((unsigned char)*p) ? "_" : p, 1);
	return rc;
}

static int block(fc_ds_ctx *c, const char *text, const span *spans, size_t n)
{
	fc_buf *b = c->out;
	int rc = 0, any = 0;
	const span *prev = NULL;
	int64_t cp = 0; /* code point index of p */
	const char *p = text;
	while (*p) {
		if (is_space((unsigned char)*p)) {
			p++, cp++;
			continue;
		}
		const char *start = p;
		int64_t ts = cp;
		if (is_punct((unsigned char)*p)) {
			p++, cp++;
		} else {
			while (*p && !is_space((unsigned char)*p) && !is_punct((unsigned char)*p)) {
				p++;
				while (((unsigned char)*p & 0xC0) == 0x80) /* continuation bytes of the same code point */
					p++;
				cp++;
			}
		}
		const span *hit = NULL;
		for (size_t i = 0; i < n && !hit; i++)
			if (spans[i].start < cp && spans[i].end > ts)
				hit = &spans[i];
		rc |= fc_buf_append(b, start, (size_t)(p - start));
		if (hit)
			rc |= tag(b, hit == prev ? " I-" : " B-", hit->label);
		else
			rc |= fc_buf_puts(b, " O");
		rc |= fc_buf_puts(b, "\n");
		prev = hit;
		any = 1;
	}
	return any ? rc | fc_buf_puts(b, "\n") : rc;
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	state *s = c->state;
	const char *text = fc_ds_object_value(c->config, s->control, t->data);
	const char *name = json_string_value(json_object_get(s->control, "name"));
	if (!text || !name || !t->n)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < t->n && !rc; i++) {
		const json_t *result = t->anns[i].result;
		span *spans = calloc(json_array_size(result) + 1, sizeof *spans);
		if (!spans)
			return FC_ENOMEM;
		size_t n = 0, j;
		const json_t *item;
		json_array_foreach(result, j, item) {
			const char *from = json_string_value(json_object_get(item, "from_name"));
			const json_t *value = json_object_get(item, "value");
			const char *label = json_string_value(json_array_get(json_object_get(value, "labels"), 0));
			const json_t *st = json_object_get(value, "start"), *en = json_object_get(value, "end");
			if (from && label && !strcmp(from, name) && json_is_integer(st) && json_is_integer(en))
				spans[n++] = (span){json_integer_value(st), json_integer_value(en), label};
		}
		qsort(spans, n, sizeof *spans, by_start);
		rc = block(c, text, spans, n);
		free(spans);
	}
	return rc ? FC_ENOMEM : 0;
}

static void release(void *p)
{
	state *s = p;
	json_decref(s->control);
}

const fc_ds_format fc_ds_conll = {
	.name = "conll",
	.content_type = "text/plain; charset=utf-8",
	.extension = "conll",
	.passes = 1,
	.state_size = sizeof(state),
	.check = check,
	.begin = begin,
	.task = task,
	.free = release,
};
