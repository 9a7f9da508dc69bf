/* Chat JSONL ({"messages":[{"role","content"},…]} per line), the shape
 * instruction-tuning trainers read (TRL's SFTTrainer, OpenAI fine-tuning),
 * from conversations shown by a Chat object (value="$messages").
 *
 * One line per kept submission (labels=raw) or per task (aggregated). The
 * line is the task's conversation as the contributor left it:
 *   - a TextArea with perItem over the Chat and value.item_index i rewrites
 *     turn i (its first text replaces the content; the role stays);
 *   - a TextArea over the Chat without item_index is the ideal answer, a new
 *     turn appended with role "assistant" (or, when the conversation ends
 *     with an assistant turn, that turn is replaced: "write the reply").
 * A submission that neither rewrites nor adds still yields its line: the
 * conversation as rated, so a filter on ratings (the jsonl export) can pick
 * lines later. Turns that are not {role, content} objects with string
 * fields are skipped. */
#include "formats/dataset.h"

#include <string.h>

static int check(const json_t *config, fc_err *err)
{
	size_t i;
	const json_t *o;
	json_array_foreach(json_object_get(config, "objects"), i, o)
		if (!strcmp(json_string_value(json_object_get(o, "type")) ?: "", "chat"))
			return 0;
	return fc_err_set(err, FC_ERULE, "format_unfit", "format",
			  "The chat format needs a Chat object (value=\"$messages\"); this project's %s.",
			  config ? "labelling config has none" : "has no labelling config");
}

/* The first non-empty text of a textarea value, or NULL. */
static const char *first_text(const json_t *value)
{
	size_t i;
	const json_t *t;
	json_array_foreach(json_object_get(value, "text"), i, t)
		if (json_is_string(t) && json_string_length(t))
			return json_string_value(t);
	return NULL;
}

static int is_turn(const json_t *m)
{
	return json_is_string(json_object_get(m, "role")) && json_is_string(json_object_get(m, "content"));
}

static int write_turn(fc_buf *out, int first, const char *role, const char *content)
{
	int rc = fc_buf_puts(out, first ? "{\"role\":" : ",{\"role\":");
	rc |= fc_buf_json_str(out, role);
	rc |= fc_buf_puts(out, ",\"content\":");
	rc |= fc_buf_json_str(out, content);
	return rc | fc_buf_puts(out, "}");
}

/* The line for one submission's result over the task's messages. */
static int write_line(fc_buf *out, const json_t *msgs, const char *chat, const json_t *result)
{
	size_t n = json_array_size(msgs), i, j;
	const char *ideal = NULL;
	const json_t *r;
	json_array_foreach(result, j, r) {
		const json_t *v = json_object_get(r, "value");
		if (strcmp(json_string_value(json_object_get(r, "type")) ?: "", "textarea") ||
		    strcmp(json_string_value(json_object_get(r, "to_name")) ?: "", chat) ||
		    json_is_integer(json_object_get(v, "item_index")))
			continue;
		if (first_text(v))
			ideal = first_text(v);
	}
	/* With an ideal answer after a final assistant turn, the answer replaces it. */
	size_t last = n;
	if (ideal && n &&
	    !strcmp(json_string_value(json_object_get(json_array_get(msgs, n - 1), "role")) ?: "", "assistant"))
		last = n - 1;
	int rc = fc_buf_puts(out, "{\"messages\":["), first = 1;
	for (i = 0; i < last; i++) {
		const json_t *m = json_array_get(msgs, i);
		if (!is_turn(m))
			continue;
		const char *content = json_string_value(json_object_get(m, "content"));
		json_array_foreach(result, j, r) {
			const json_t *v = json_object_get(r, "value");
			const json_t *idx = json_object_get(v, "item_index");
			if (!strcmp(json_string_value(json_object_get(r, "type")) ?: "", "textarea") &&
			    !strcmp(json_string_value(json_object_get(r, "to_name")) ?: "", chat) &&
			    json_is_integer(idx) && (size_t)json_integer_value(idx) == i && first_text(v))
				content = first_text(v);
		}
		rc |= write_turn(out, first, json_string_value(json_object_get(m, "role")), content);
		first = 0;
	}
	if (ideal)
		rc |= write_turn(out, first, "assistant", ideal);
	return rc | fc_buf_puts(out, "]}\n");
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	(void)pass;
	const char *chat = NULL;
	const json_t *msgs = fc_ds_chat_messages(c->config, t->data, &chat);
	if (!msgs || !chat)
		return 0;
	int rc = 0;
	for (size_t a = 0; a < t->n; a++)
		rc |= write_line(c->out, msgs, chat, t->anns[a].result);
	return rc ? FC_ENOMEM : 0;
}

const fc_ds_format fc_ds_chat = {
	.name = "chat",
	.content_type = "application/x-ndjson",
	.extension = "jsonl",
	.passes = 1,
	.check = check,
	.task = task,
};
