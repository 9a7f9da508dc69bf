/* DPO pairs (JSONL {"prompt","chosen","rejected"}), the shape TRL's
 * DPOTrainer reads, from Pairwise and Ranker results: a Pairwise control's
 * toName names two objects (left, right); value.selected "left" makes the
 * left object's text the chosen reply and the right one the rejected one.
 * A Ranker's order (value.ranker.<list>: item ids, best first) gives every
 * pair of its items, the higher ranked chosen (items' text: body, else
 * text, else title). The prompt is the task's data.prompt, else the first
 * Text object the Pairwise does not compare. When the config shows a
 * conversation (a Chat object) and the task holds one, the line is TRL's
 * conversational form instead: "prompt" is the messages, "chosen" and
 * "rejected" are one assistant message each. One line per kept judgment
 * (labels=raw) or per task (labels=aggregated). */
#include "formats/dataset.h"

#include <stdio.h>
#include <string.h>

static const char *const PAIRWISE[] = {"pairwise", NULL};
static const char *const PREFERENCE[] = {"pairwise", "ranker", NULL};

static int check(const json_t *config, fc_err *err)
{
	return fc_ds_require(config, PREFERENCE, "dpo",
			     "a Pairwise control comparing two replies or a Ranker ordering them", err);
}

/* One line: chosen over rejected, after the prompt (text or conversation). */
static int write_pair(fc_buf *out, const char *prompt, const json_t *chat, const char *chosen, const char *rejected)
{
	int rc = fc_buf_puts(out, "{\"prompt\":");
	if (!chat) {
		rc |= fc_buf_json_str(out, prompt);
		rc |= fc_buf_puts(out, ",\"chosen\":");
		rc |= fc_buf_json_str(out, chosen);
		rc |= fc_buf_puts(out, ",\"rejected\":");
		rc |= fc_buf_json_str(out, rejected);
		return rc | fc_buf_puts(out, "}\n");
	}
	rc |= fc_buf_puts(out, "[");
	size_t i, n = 0;
	const json_t *m;
	json_array_foreach(chat, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *content = json_string_value(json_object_get(m, "content"));
		if (!role || !content)
			continue;
		rc |= fc_buf_puts(out, n++ ? ",{\"role\":" : "{\"role\":");
		rc |= fc_buf_json_str(out, role);
		rc |= fc_buf_puts(out, ",\"content\":");
		rc |= fc_buf_json_str(out, content);
		rc |= fc_buf_puts(out, "}");
	}
	rc |= fc_buf_puts(out, "],\"chosen\":[{\"role\":\"assistant\",\"content\":");
	rc |= fc_buf_json_str(out, chosen);
	rc |= fc_buf_puts(out, "}],\"rejected\":[{\"role\":\"assistant\",\"content\":");
	rc |= fc_buf_json_str(out, rejected);
	return rc | fc_buf_puts(out, "}]}\n");
}

/* The text of the item called id in a List's data (objects with id, or
 * strings named by their index). */
static const char *item_text(const json_t *items, const char *id)
{
	size_t i;
	const json_t *it;
	json_array_foreach(items, i, it) {
		if (json_is_string(it)) {
			char idx[24];
			snprintf(idx, sizeof idx, "%zu", i);
			if (!strcmp(idx, id))
				return json_string_value(it);
			continue;
		}
		const json_t *jid = json_object_get(it, "id");
		char buf[24];
		const char *s = json_string_value(jid);
		if (json_is_integer(jid)) {
			snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(jid));
			s = buf;
		} else if (!jid) {
			snprintf(buf, sizeof buf, "%zu", i);
			s = buf;
		}
		if (!s || strcmp(s, id))
			continue;
		const char *t = json_string_value(json_object_get(it, "body"));
		if (!t)
			t = json_string_value(json_object_get(it, "text"));
		return t ? t : json_string_value(json_object_get(it, "title"));
	}
	return NULL;
}

/* Every pair of a ranking (no buckets: value.ranker.<list> is the order). */
static int ranking_pairs(fc_ds_ctx *c, const fc_ds_task *t, const json_t *value, const json_t *chat)
{
	const char *list;
	const json_t *order;
	int rc = 0;
	json_object_foreach((json_t *)json_object_get(value, "ranker"), list, order) {
		const json_t *items = NULL;
		size_t i;
		const json_t *o;
		json_array_foreach(json_object_get(c->config, "objects"), i, o)
			if (!strcmp(json_string_value(json_object_get(o, "name")) ?: "", list))
				items = json_object_get(t->data, json_string_value(json_object_get(o, "field")) ?: "");
		if (!json_is_array(items) || json_object_size(json_object_get(value, "ranker")) != 1)
			continue; /* buckets: no order between them */
		const char *prompt = json_string_value(json_object_get(t->data, "prompt"));
		for (size_t a = 0; a < json_array_size(order); a++)
			for (size_t b = a + 1; b < json_array_size(order); b++) {
				const char *hi = item_text(items, json_string_value(json_array_get(order, a)) ?: "");
				const char *lo = item_text(items, json_string_value(json_array_get(order, b)) ?: "");
				if (hi && lo)
					rc |= write_pair(c->out, prompt ? prompt : "", chat, hi, lo);
			}
	}
	return rc;
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
	const json_t *chat = fc_ds_chat_messages(c->config, t->data, NULL);
	int rc = 0;
	for (size_t a = 0; a < t->n; a++) {
		size_t i;
		json_t *r;
		json_array_foreach(t->anns[a].result, i, r) {
			if (!strcmp(json_string_value(json_object_get(r, "type")) ?: "", "ranker")) {
				rc |= ranking_pairs(c, t, json_object_get(r, "value"), chat);
				continue;
			}
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
			rc |= write_pair(c->out, prompt_of(c->config, pair, t->data), chat, l ? left : right,
					 l ? right : left);
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
