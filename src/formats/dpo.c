/* DPO pairs (JSONL {"prompt","chosen","rejected"}), the shape TRL's
 * DPOTrainer reads, from Pairwise results: a Pairwise control's toName
 * names two objects (left, right); value.selected "left" makes the left
 * object's text the chosen reply and the right one the rejected one. The
 * prompt is the task's data.prompt, else the first Text object the
 * Pairwise does not compare. One line per kept judgment (labels=raw) or per
 * task (labels=aggregated). */
#include "formats/dataset.h"

#include <string.h>

static const char *const PAIRWISE[] = {"pairwise", NULL};

static int check(const json_t *config, fc_err *err)
{
	return fc_ds_require(config, PAIRWISE, "dpo", "a Pairwise control comparing two replies", err);
}

/* The data value of the object called name. */
static const char *object_text(const json_t *config, const char *name, const json_t *data)
{
	size_t i;
	const json_t *o;
	json_array_foreach(json_object_get(config, "objects"), i, o) {
		const char *n = json_string_value(json_object_get(o, "name"));
		const char *field = json_string_value(json_object_get(o, "field"));
		if (n && field && name && !strcmp(n, name))
			return json_string_value(json_object_get(data, field));
	}
	return NULL;
}

static const char *prompt_of(const json_t *config, const json_t *pair, const json_t *data)
{
	const char *p = json_string_value(json_object_get(data, "prompt"));
	if (p)
		return p;
	const json_t *to = json_object_get(pair, "to_name");
	size_t i;
	const json_t *o;
	json_array_foreach(json_object_get(config, "objects"), i, o) {
		const char *name = json_string_value(json_object_get(o, "name"));
		if (!name || strcmp(json_string_value(json_object_get(o, "type")) ?: "", "text"))
			continue;
		if (strcmp(name, json_string_value(json_array_get(to, 0)) ?: "") &&
		    strcmp(name, json_string_value(json_array_get(to, 1)) ?: ""))
			return object_text(config, name, data);
	}
	return "";
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	json_t *pairs = fc_ds_controls(c->config, PAIRWISE);
	int rc = 0;
	for (size_t a = 0; a < t->n; a++) {
		size_t i;
		json_t *r;
		json_array_foreach(t->anns[a].result, i, r) {
			const char *sel = json_string_value(json_object_get(json_object_get(r, "value"), "selected"));
			const char *from = json_string_value(json_object_get(r, "from_name"));
			if (!sel || !from)
				continue;
			size_t k;
			json_t *p, *pair = NULL;
			json_array_foreach(pairs, k, p)
				if (!strcmp(json_string_value(json_object_get(p, "name")) ?: "", from))
					pair = p;
			const json_t *to = json_object_get(pair, "to_name");
			const char *left = object_text(c->config, json_string_value(json_array_get(to, 0)), t->data),
				   *right = object_text(c->config, json_string_value(json_array_get(to, 1)), t->data);
			if (!pair || !left || !right)
				continue;
			int l = !strcmp(sel, "left");
			rc |= fc_buf_puts(c->out, "{\"prompt\":");
			rc |= fc_buf_json_str(c->out, prompt_of(c->config, pair, t->data));
			rc |= fc_buf_puts(c->out, ",\"chosen\":");
			rc |= fc_buf_json_str(c->out, l ? left : right);
			rc |= fc_buf_puts(c->out, ",\"rejected\":");
			rc |= fc_buf_json_str(c->out, l ? right : left);
			rc |= fc_buf_puts(c->out, "}\n");
		}
	}
	json_decref(pairs);
	return rc ? FC_ENOMEM : 0;
}

const fc_ds_format fc_ds_dpo = {
	.name = "dpo",
	.content_type = "application/x-ndjson",
	.extension = "jsonl",
	.passes = 1,
	.check = check,
	.task = task,
};
