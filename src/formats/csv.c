/* CSV (RFC 4180): one row per kept annotation, columns task_id, worker_id,
 * status, lead_time, created_at, then the task data fields the config reads,
 * then one column per named control. A control's cell is its answer as text
 * when the answer is one string or number (a single choice, a rating, a
 * transcription), else the JSON of its value objects (regions, several
 * choices). Cells with a comma, quote or line break are quoted, quotes
 * doubled. Tasks without kept annotations have no row. */
#include "core/clock.h"
#include "formats/dataset.h"

#include <string.h>

typedef struct state {
	json_t *fields, *controls; /* column names after the fixed ones */
} state;

static int check(const json_t *config, fc_err *err)
{
	if (!json_array_size(json_object_get(config, "controls")))
		return fc_err_set(err, FC_ERULE, "format_unfit", "format",
				  "The csv format needs a labelling config with controls; use cv for a collection project.");
	return 0;
}

static int cell(fc_buf *b, const char *s, size_t n)
{
	int quote = 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote)
		return fc_buf_append(b, s, n);
	int rc = fc_buf_puts(b, "\"");
	for (size_t i = 0; i < n; i++)
		rc |= s[i] == '"' ? fc_buf_puts(b, "\"\"") : fc_buf_append(b, &s[i], 1);
	return rc | fc_buf_puts(b, "\"");
}

/* A JSON value as cell text: strings as they are, numbers as numbers, the rest as JSON. */
static int json_cell(fc_buf *b, const json_t *v)
{
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v))
		return cell(b, json_string_value(v), json_string_length(v));
	if (json_is_number(v))
		return fc_ds_num(b, json_number_value(v));
	fc_buf tmp = {0};
	int rc = fc_ds_json(&tmp, v);
	if (!rc)
		rc = cell(b, tmp.p, tmp.len);
	fc_buf_free(&tmp);
	return rc;
}

/* The one string or number a value object holds ({"choices":["pos"]},
 * {"rating":4}, {"text":["hi"]}), or NULL. */
static const json_t *single_answer(const json_t *value)
{
	if (json_object_size(value) != 1)
		return NULL;
	json_t *v = json_object_iter_value(json_object_iter((json_t *)value));
	if (json_is_array(v) && json_array_size(v) == 1)
		v = json_array_get(v, 0);
	return json_is_string(v) || json_is_number(v) ? v : NULL;
}

static int control_cell(fc_buf *b, const json_t *result, const char *name)
{
	json_t *values = json_array();
	size_t i;
	const json_t *item;
	json_array_foreach(result, i, item) {
		const char *from = json_string_value(json_object_get(item, "from_name"));
		if (from && !strcmp(from, name))
			json_array_append(values, json_object_get(item, "value"));
	}
	const json_t *one = json_array_size(values) == 1 ? single_answer(json_array_get(values, 0)) : NULL;
	int rc = one ? json_cell(b, one) : json_array_size(values) ? json_cell(b, values) : 0;
	json_decref(values);
	return rc;
}

static int begin(fc_ds_ctx *c)
{
	state *s = c->state;
	s->fields = json_array();
	s->controls = json_array();
	size_t i;
	const json_t *o;
	json_array_foreach(json_object_get(c->config, "objects"), i, o) {
		json_t *f = json_object_get(o, "field");
		if (json_string_length(f) && fc_ds_index_of(s->fields, json_string_value(f)) < 0)
			json_array_append(s->fields, f);
	}
	json_array_foreach(json_object_get(c->config, "controls"), i, o) {
		json_t *name = json_object_get(o, "name");
		if (json_is_string(name) && fc_ds_index_of(s->controls, json_string_value(name)) < 0)
			json_array_append(s->controls, name);
	}
	int rc = fc_buf_puts(c->out, "task_id,worker_id,status,lead_time,created_at");
	json_t *v;
	json_array_foreach(s->fields, i, v) {
		rc |= fc_buf_puts(c->out, ",");
		rc |= json_cell(c->out, v);
	}
	json_array_foreach(s->controls, i, v) {
		rc |= fc_buf_puts(c->out, ",");
		rc |= json_cell(c->out, v);
	}
	return (rc | fc_buf_puts(c->out, "\r\n")) ? FC_ENOMEM : 0;
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	state *s = c->state;
	fc_buf *b = c->out;
	int rc = 0;
	for (size_t i = 0; i < t->n; i++) {
		const fc_ds_ann *a = &t->anns[i];
		char ts[32];
		rc |= fc_buf_printf(b, "%lld,%s,%s,", (long long)t->id, a->worker_id, a->status);
		rc |= fc_ds_num(b, a->lead_time);
		rc |= fc_buf_printf(b, ",%s", fc_clock_format(a->created_at, ts, sizeof ts));
		size_t j;
		const json_t *v;
		json_array_foreach(s->fields, j, v) {
			rc |= fc_buf_puts(b, ",");
			rc |= json_cell(b, json_object_get(t->data, json_string_value(v)));
		}
		json_array_foreach(s->controls, j, v) {
			rc |= fc_buf_puts(b, ",");
			rc |= control_cell(b, a->result, json_string_value(v));
		}
		rc |= fc_buf_puts(b, "\r\n");
	}
	return rc ? FC_ENOMEM : 0;
}

static void release(void *p)
{
	state *s = p;
	json_decref(s->fields);
	json_decref(s->controls);
}

const fc_ds_format fc_ds_csv = {
	.name = "csv",
	.content_type = "text/csv; charset=utf-8",
	.extension = "csv",
	.passes = 1,
	.state_size = sizeof(state),
	.check = check,
	.begin = begin,
	.task = task,
	.free = release,
};
