/* labelconfig_tags.c — the one description of every tag a labeling config
 * may use; see labelconfig_internal.h for what each column means. */
#include "work/labelconfig_internal.h"

#include <stddef.h>
#include <strings.h>

#define AT(member) offsetof(struct fc_lc_control, member)

/* Label Studio's conditions for showing a control. */
static const char *const visible_words[] = {"region-selected", "no-region-selected", "choice-selected",
					    "choice-unselected", NULL};

const struct fc_lc_attr fc_lc_control_attrs[] = {
	{.name = "required", .type = A_BOOL, .offset = AT(required)},
	{.name = "perRegion", .type = A_BOOL, .offset = AT(per_region)},
	{.name = "maxUsages", .type = A_LONG, .offset = AT(max_usages), .shown = "max_usages", .lo = 0, .hi = 1000000},
	{.name = "perItem", .type = A_BOOL, .offset = AT(per_item)},
	{.name = "visibleWhen", .type = A_STRING, .offset = AT(visible_when), .shown = "visible_when", .words = visible_words},
	{.name = "whenTagName", .type = A_STRING, .offset = AT(when_tag), .shown = "when_tag_name"},
	{.name = "whenLabelValue", .type = A_STRING, .offset = AT(when_label), .shown = "when_label_value"},
	{.name = "whenChoiceValue", .type = A_STRING, .offset = AT(when_choice), .shown = "when_choice_value"},
	{0},
};

/* Labels of every kind may come from the task: value="$labels". */
static const struct fc_lc_attr labels_attrs[] = {
	{.name = "value", .type = A_FIELD, .offset = AT(dynamic_field), .shown = "value", .example = "labels"},
	{0},
};

static const struct fc_lc_attr taxonomy_attrs[] = {
	{.name = "value", .type = A_FIELD, .offset = AT(dynamic_field), .shown = "value", .example = "taxonomy"},
	{.name = "apiUrl", .type = A_STRING, .offset = AT(api_url), .shown = "api_url"},
	{.name = "leafsOnly", .type = A_BOOL, .offset = AT(leafs_only), .shown = "leafs_only"},
	{0},
};

static const char *const only_words[] = {"date", "time", "month", "year", NULL};

static const struct fc_lc_attr datetime_attrs[] = {
	{.name = "only", .type = A_STRING, .offset = AT(dt_only), .shown = "only", .words = only_words},
	{.name = "format", .type = A_STRING, .offset = AT(dt_format), .shown = "format"},
	{.name = "min", .type = A_STRING, .offset = AT(dt_min), .shown = "min"},
	{.name = "max", .type = A_STRING, .offset = AT(dt_max), .shown = "max"},
	{0},
};

/* Indexed by CHOICE_*. */
static const char *const choice_words[] = {"single", "single-radio", "multiple", NULL};

static const struct fc_lc_attr choices_attrs[] = {
	{.name = "choice", .type = A_WORD, .offset = AT(choice), .shown = "choice", .words = choice_words},
	{.name = "value", .type = A_FIELD, .offset = AT(dynamic_field), .shown = "value", .example = "options"},
	{0},
};

static const struct fc_lc_attr rating_attrs[] = {
	{.name = "maxRating", .type = A_LONG, .offset = AT(max_rating), .shown = "max_rating", .lo = 1, .hi = 100, .absent = 5},
	{0},
};

static const struct fc_lc_attr number_attrs[] = {
	{.name = "min", .type = A_NUMBER, .offset = AT(min), .shown = "min"},
	{.name = "max", .type = A_NUMBER, .offset = AT(max), .shown = "max", .not_below = "min"},
	{0},
};

static const struct fc_lc_attr textarea_attrs[] = {
	{.name = "maxSubmissions",
	 .type = A_LONG,
	 .offset = AT(max_submissions),
	 .shown = "max_submissions",
	 .lo = 0,
	 .hi = 1000000},
	{0},
};

#define LAYOUT(n, f) \
	{ \
		.name = n, .kind = K_LAYOUT, .flags = f \
	}
#define OBJECT(n, t, l, f) \
	{ \
		.name = n, .kind = K_OBJECT, .type = t, .lower = l, .flags = f \
	}
#define CHILD(n, a) \
	{ \
		.name = n, .kind = K_CHILD, .option_attr = a \
	}
/* old: the label key older Label Studio versions wrote, or NULL */
#define LABELS_OLD(n, t, l, key, old, to, chk) \
	{ \
		.name = n, .kind = K_CONTROL, .type = t, .lower = l, .targets = to, .flags = F_NEEDS_CHILD | F_REGION, \
		.child = "Label", .options_key = "labels", .attrs = labels_attrs, .check = chk, .label_key = key, \
		.label_key_old = old \
	}
#define LABELS(n, t, l, key, to, chk) LABELS_OLD(n, t, l, key, NULL, to, chk)
/* A drawing tool without labels of its own (Labels on the same image name them). */
#define TOOL(n, l, chk) \
	{ \
		.name = n, .kind = K_CONTROL, .type = C_TOOL, .lower = l, .targets = O_IMAGE, .flags = F_REGION, \
		.check = chk \
	}

const struct fc_lc_tag fc_lc_tags[] = {
	LAYOUT("View", 0),
	LAYOUT("Header", F_DATA_VALUE),
	LAYOUT("Style", F_OPAQUE),
	LAYOUT("Collapse", 0),
	LAYOUT("Panel", 0),
	LAYOUT("Filter", F_OPAQUE),
	/* Its content repeats for every item of on="$pages"; names hold indexFlag. */
	LAYOUT("Repeater", F_REPEATER),

	OBJECT("Image", O_IMAGE, "image", 0),
	OBJECT("Text", O_TEXT, "text", 0),
	OBJECT("HyperText", O_HYPERTEXT, "hypertext", 0),
	OBJECT("Audio", O_AUDIO, "audio", 0),
	/* Older Label Studio templates still use the deprecated AudioPlus. */
	OBJECT("AudioPlus", O_AUDIO, "audio", F_DEPRECATED),
	OBJECT("Video", O_VIDEO, "video", 0),
	OBJECT("Paragraphs", O_PARAGRAPHS, "paragraphs", 0),
	/* Ranker needs something to rank; in Label Studio that is a List. */
	OBJECT("List", O_LIST, "list", 0),
	/* Shown read-only: a table of the task's key/value data. */
	OBJECT("Table", O_TABLE, "table", 0),
	OBJECT("Markdown", O_MARKDOWN, "markdown", 0),
	OBJECT("Pdf", O_PDF, "pdf", 0),
	/* A conversation (value="$messages", [{role, content}]); shown by the chat view. */
	OBJECT("Chat", O_CHAT, "chat", 0),
	/* Channels of a table of numbers over time (valueType="json": the task
	 * holds {column: [values]}; "url", the default: a CSV or JSON file). */
	OBJECT("TimeSeries", O_TIMESERIES, "timeseries", F_CHANNELS),

	{.name = "Choices",
	 .kind = K_CONTROL,
	 .type = C_CHOICES,
	 .lower = "choices",
	 .targets = O_ANY,
	 .flags = F_NEEDS_CHILD,
	 .child = "Choice",
	 .options_key = "choices",
	 .attrs = choices_attrs,
	 .check = fc_lc_check_choices},
	/* On an image, Labels name the regions of the drawing tools (OCR). */
	LABELS("Labels", C_LABELS, "labels", "labels", O_IMAGE | O_TEXT | O_HYPERTEXT | O_AUDIO | O_VIDEO,
	       fc_lc_check_span),
	LABELS("RectangleLabels", C_RECTANGLE, "rectanglelabels", "rectanglelabels", O_IMAGE, fc_lc_check_box),
	LABELS("PolygonLabels", C_POLYGON, "polygonlabels", "polygonlabels", O_IMAGE, fc_lc_check_polygon),
	LABELS("KeyPointLabels", C_KEYPOINT, "keypointlabels", "keypointlabels", O_IMAGE, fc_lc_check_keypoint),
	LABELS("EllipseLabels", C_ELLIPSE, "ellipselabels", "ellipselabels", O_IMAGE, fc_lc_check_ellipse),
	LABELS("BrushLabels", C_BRUSH, "brushlabels", "brushlabels", O_IMAGE, fc_lc_check_brush),
	/* Pixel masks as a PNG data URL (value.imageDataURL) instead of RLE. */
	LABELS("BitmaskLabels", C_BITMASK, "bitmasklabels", "bitmasklabels", O_IMAGE, fc_lc_check_bitmask),
	/* OCR regions: a box or polygon with its label; the text is a per-region TextArea. */
	LABELS("OcrLabels", C_OCR, "ocrlabels", "ocrlabels", O_IMAGE, fc_lc_check_image_shape),
	/* Ranges (start..end) and instants (start = end) on a TimeSeries, in its time units. */
	LABELS("TimeSeriesLabels", C_TIMESERIESLABELS, "timeserieslabels", "timeserieslabels", O_TIMESERIES,
	       fc_lc_check_timeseries),
	/* Segments of a video's timeline: {"ranges": [{start, end}], …} in frames. */
	LABELS("TimelineLabels", C_TIMELINELABELS, "timelinelabels", "timelinelabels", O_VIDEO, fc_lc_check_timeline),
	TOOL("Rectangle", "rectangle", fc_lc_check_box),
	TOOL("Polygon", "polygon", fc_lc_check_polygon),
	TOOL("KeyPoint", "keypoint", fc_lc_check_keypoint),
	TOOL("Ellipse", "ellipse", fc_lc_check_ellipse),
	TOOL("Brush", "brush", fc_lc_check_brush),
	TOOL("Bitmask", "bitmask", fc_lc_check_bitmask),
	/* Fills by colour tolerance into a brush mask (opacity, blurradius and
	 * defaultThreshold are for the editor). */
	TOOL("MagicWand", "magicwand", fc_lc_check_brush),
	/* Its labels are "hypertextlabels", as Label Studio documents them; its
	 * older editors wrote "htmllabels", which still reads. */
	LABELS_OLD("HyperTextLabels", C_HYPERTEXTLABELS, "hypertextlabels", "hypertextlabels", "htmllabels",
		   O_HYPERTEXT, fc_lc_check_span),
	LABELS("ParagraphLabels", C_PARAGRAPHLABELS, "paragraphlabels", "paragraphlabels", O_PARAGRAPHS,
	       fc_lc_check_paragraph_span),
	/* Shortcuts are text snippets for the UI, not options. */
	{.name = "TextArea",
	 .kind = K_CONTROL,
	 .type = C_TEXTAREA,
	 .lower = "textarea",
	 .targets = O_ANY,
	 .flags = F_TO_OPTIONAL,
	 .child = "Shortcut",
	 .attrs = textarea_attrs,
	 .check = fc_lc_check_textarea},
	{.name = "Rating",
	 .kind = K_CONTROL,
	 .type = C_RATING,
	 .lower = "rating",
	 .targets = O_ANY,
	 .flags = F_TO_OPTIONAL,
	 .attrs = rating_attrs,
	 .check = fc_lc_check_rating},
	{.name = "Number",
	 .kind = K_CONTROL,
	 .type = C_NUMBER,
	 .lower = "number",
	 .targets = O_ANY,
	 .flags = F_TO_OPTIONAL,
	 .attrs = number_attrs,
	 .check = fc_lc_check_number},
	/* Choices nested in Choices; results are paths from the top. */
	{.name = "Taxonomy",
	 .kind = K_CONTROL,
	 .type = C_TAXONOMY,
	 .lower = "taxonomy",
	 .targets = O_ANY,
	 .flags = F_NEEDS_CHILD | F_TREE,
	 .child = "Choice",
	 .options_key = "choices",
	 .attrs = taxonomy_attrs,
	 .check = fc_lc_check_taxonomy},
	{.name = "DateTime",
	 .kind = K_CONTROL,
	 .type = C_DATETIME,
	 .lower = "datetime",
	 .targets = O_ANY,
	 .flags = F_TO_OPTIONAL,
	 .attrs = datetime_attrs,
	 .check = fc_lc_check_datetime},
	{.name = "Pairwise",
	 .kind = K_CONTROL,
	 .type = C_PAIRWISE,
	 .lower = "pairwise",
	 .targets = O_ANY,
	 .flags = F_PAIR,
	 .check = fc_lc_check_pairwise},
	{.name = "Ranker",
	 .kind = K_CONTROL,
	 .type = C_RANKER,
	 .lower = "ranker",
	 .targets = O_LIST,
	 .child = "Bucket",
	 .options_key = "buckets",
	 .check = fc_lc_check_ranker},
	/* Relations have no value checker: their answers are relation items,
	 * which the result check handles on its own. */
	{.name = "Relations",
	 .kind = K_CONTROL,
	 .type = C_RELATIONS,
	 .lower = "relation",
	 .flags = F_NEEDS_CHILD | F_JOINS,
	 .child = "Relation",
	 .options_key = "relations"},
	/* Its labels come from a Labels control on the same video, which the
	 * checker looks up itself. */
	{.name = "VideoRectangle",
	 .kind = K_CONTROL,
	 .type = C_VIDEORECTANGLE,
	 .lower = "videorectangle",
	 .targets = O_VIDEO,
	 .flags = F_REGION,
	 .check = fc_lc_check_video_track},

	CHILD("Choice", "value"),
	CHILD("Label", "value"),
	CHILD("Relation", "value"),
	/* Buckets are named, the other options carry a value. */
	CHILD("Bucket", "name"),
	CHILD("Shortcut", NULL),
	/* <Channel> is no row: only a TimeSeries holds it, and parse_object reads it there. */
};

const size_t fc_lc_ntags = sizeof fc_lc_tags / sizeof fc_lc_tags[0];

const struct fc_lc_tag *fc_lc_find_tag(const char *name)
{
	for (size_t i = 0; i < fc_lc_ntags; i++)
		if (!strcasecmp(fc_lc_tags[i].name, name))
			return &fc_lc_tags[i];
	return NULL;
}
