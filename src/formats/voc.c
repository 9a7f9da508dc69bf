/* Pascal VOC, a zip: Annotations/<image stem>.xml per task with kept
 * annotations, each box (and each polygon, as the box around its points)
 * an <object> with <name> and <bndbox> in whole pixels (Label Studio's
 * percent × original size / 100, rounded); <size> from the results'
 * original_width/original_height. */
#include "formats/dataset.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const REGION_TYPES[] = {"rectanglelabels", "polygonlabels", NULL};

static int check(const json_t *config, fc_err *err)
{
	return fc_ds_require(config, REGION_TYPES, "voc", "a RectangleLabels or PolygonLabels control on an Image", err);
}

/* XML text: the five special characters escaped, and the control characters
 * XML 1.0 cannot carry dropped. */
static int xml_text(fc_buf *b, const char *s)
{
	int rc = 0;
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '&')
			rc |= fc_buf_puts(b, "&amp;");
		else if (ch == '<')
			rc |= fc_buf_puts(b, "&lt;");
		else if (ch == '>')
			rc |= fc_buf_puts(b, "&gt;");
		else if (ch == '"')
			rc |= fc_buf_puts(b, "&quot;");
		else if (ch == '\'')
			rc |= fc_buf_puts(b, "&apos;");
		else if (ch >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r')
			rc |= fc_buf_append(b, s, 1);
	}
	return rc;
}

/* The label and pixel box of a box or polygon region; 0 when it is neither. */
static int region_box(const json_t *item, double w, double h, const char **label, double box[4])
{
	const char *type = json_string_value(json_object_get(item, "type"));
	const json_t *value = json_object_get(item, "value");
	if (type && !strcmp(type, "rectanglelabels")) {
		*label = json_string_value(json_array_get(json_object_get(value, "rectanglelabels"), 0));
		fc_ds_box_px(value, w, h, box);
		return *label != NULL;
	}
	if (!type || strcmp(type, "polygonlabels") || !json_array_size(json_object_get(value, "points")))
		return 0;
	*label = json_string_value(json_array_get(json_object_get(value, "polygonlabels"), 0));
	double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(value, "points"), i, p) {
		double x = json_number_value(json_array_get(p, 0)) * w / 100,
		       y = json_number_value(json_array_get(p, 1)) * h / 100;
		x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
	}
	box[0] = x0, box[1] = y0, box[2] = x1 - x0, box[3] = y1 - y0;
	return *label != NULL;
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	if (!t->n)
		return 0;
	json_t *image_control = fc_ds_first_control(c->config, REGION_TYPES);
	const char *url = fc_ds_object_value(c->config, image_control, t->data);
	char file[256], stem[200], name[256];
	fc_ds_file_stem(url, t->id, 1, file, sizeof file);
	fc_ds_file_stem(url, t->id, 0, stem, sizeof stem);
	json_decref(image_control);
	double w, h;
	fc_ds_image_size(t, &w, &h);
	fc_buf *b = c->out;
	int rc = fc_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<annotation>\n\t<folder>images</folder>\n"
				"\t<filename>");
	rc |= xml_text(b, file);
	rc |= fc_buf_printf(b,
			    "</filename>\n\t<source><database>faircrowd project %lld</database></source>\n"
			    "\t<size><width>%.0f</width><height>%.0f</height><depth>3</depth></size>\n"
			    "\t<segmented>0</segmented>\n",
			    (long long)c->project_id, w, h);
	for (size_t i = 0; i < t->n; i++) {
		size_t j;
		const json_t *item;
		json_array_foreach(t->anns[i].result, j, item) {
			const char *label;
			double box[4];
			if (!region_box(item, w, h, &label, box))
				continue;
			rc |= fc_buf_puts(b, "\t<object>\n\t\t<name>");
			rc |= xml_text(b, label);
			rc |= fc_buf_printf(b,
					    "</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n"
					    "\t\t<difficult>0</difficult>\n\t\t<bndbox><xmin>%.0f</xmin><ymin>%.0f</ymin>"
					    "<xmax>%.0f</xmax><ymax>%.0f</ymax></bndbox>\n\t</object>\n",
					    round(box[0]), round(box[1]), round(box[0] + box[2]), round(box[1] + box[3]));
		}
	}
	rc |= fc_buf_puts(b, "</annotation>\n");
	if (rc)
		return FC_ENOMEM;
	snprintf(name, sizeof name, "Annotations/%s.xml", stem);
	return fc_ds_emit_file(c, name);
}

const fc_ds_format fc_ds_voc = {
	.name = "voc",
	.content_type = "application/zip",
	.extension = "zip",
	.zip = 1,
	.passes = 1,
	.check = check,
	.task = task,
	.drops = FC_DS_ALL_MASKS,
};
