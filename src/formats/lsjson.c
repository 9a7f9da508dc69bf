/* Label Studio JSON: one array of tasks, each {id, data, predictions, meta?,
 * annotations:[{id, completed_by, worker_id, result, lead_time, status,
 * created_at}]} — the shape Label Studio exports and our import reads back
 * (completed_by is the pseudonym, which the import keeps as a named outside
 * worker). Every task is written, with or without kept annotations, as
 * Label Studio does. */
#include "core/clock.h"
#include "formats/dataset.h"

static int begin(fc_ds_ctx *c) { return fc_buf_puts(c->out, "["); }

int fc_ds_task_json(fc_buf *b, const fc_ds_task *t)
{
	int rc = fc_buf_printf(b, "{\"id\":%lld,\"data\":", (long long)t->id);
	rc |= fc_ds_json(b, t->data);
	rc |= fc_buf_puts(b, ",\"predictions\":");
	rc |= fc_ds_json(b, t->predictions);
	if (t->gold) {
		rc |= fc_buf_puts(b, ",\"gold\":");
		rc |= fc_ds_json(b, t->gold);
	}
	if (t->meta) {
		rc |= fc_buf_puts(b, ",\"meta\":");
		rc |= fc_ds_json(b, t->meta);
	}
	rc |= fc_buf_puts(b, ",\"annotations\":[");
	for (size_t i = 0; i < t->n; i++) {
		const fc_ds_ann *a = &t->anns[i];
		char ts[32];
		rc |= fc_buf_printf(b, "%s{\"id\":%lld,\"completed_by\":\"%s\",\"worker_id\":\"%s\",\"result\":",
				    i ? "," : "", (long long)a->id, a->worker_id, a->worker_id);
		rc |= fc_ds_json(b, a->result);
		rc |= fc_buf_puts(b, ",\"lead_time\":");
		rc |= fc_ds_num(b, a->lead_time);
		rc |= fc_buf_printf(b, ",\"status\":\"%s\",\"created_at\":\"%s\"", a->status,
				    fc_clock_format(a->created_at, ts, sizeof ts));
		if (a->confidence >= 0) { /* labels=aggregated */
			rc |= fc_buf_puts(b, ",\"confidence\":");
			rc |= fc_ds_num(b, a->confidence);
		}
		rc |= fc_buf_puts(b, "}");
	}
	rc |= fc_buf_puts(b, "]}");
	return rc ? FC_ENOMEM : 0;
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	int *written = c->state;
	int rc = fc_buf_puts(c->out, *written ? ",\n" : "\n");
	*written = 1;
	return rc ? FC_ENOMEM : fc_ds_task_json(c->out, t);
}

static int end(fc_ds_ctx *c) { return fc_buf_puts(c->out, "\n]\n"); }

const fc_ds_format fc_ds_lsjson = {
	.name = "json",
	.content_type = "application/json",
	.extension = "json",
	.passes = 1,
	.state_size = sizeof(int),
	.begin = begin,
	.task = task,
	.end = end,
};
