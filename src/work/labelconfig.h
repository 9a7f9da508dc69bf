/* labelconfig.h — Label Studio labeling configs: parse, describe, and check
 * annotation results against them.
 *
 * The accepted XML follows Label Studio's rules, so the templates of its
 * gallery paste in unchanged:
 *   root     <View>
 *   objects  Image Text HyperText Audio (AudioPlus) Video Paragraphs List
 *            Table Markdown Pdf Chat TimeSeries (name, value="$field" or the
 *            literal text itself, valueList="$list" for several images;
 *            TimeSeries holds <Channel column="…"/>s, at least one)
 *   controls Choices Labels RectangleLabels PolygonLabels KeyPointLabels
 *            EllipseLabels BrushLabels OcrLabels HyperTextLabels
 *            ParagraphLabels Rectangle Polygon KeyPoint Ellipse Brush
 *            TextArea Rating Number DateTime Taxonomy Pairwise Ranker
 *            Relations VideoRectangle TimeSeriesLabels (name, toName="a" or "a,b"; TextArea,
 *            Rating, Number and DateTime may go without toName)
 *   children Choice Label Relation Bucket Shortcut, inside their control
 *            (Choice nests inside Choice in a Taxonomy)
 *   layout   View Header Style Collapse Panel Filter (kept out of the model)
 *            and Repeater on="$pages" indexFlag="{{idx}}", whose content
 *            stands for one copy per item (names carry the index)
 * Labels of every kind and Choices may come from the task (value="$field");
 * an option written twice is one; visibleWhen/whenTagName/whenLabelValue/
 * whenChoiceValue make a required control required only when shown; perItem
 * answers carry value.item_index.
 * Tag and attribute names match case-insensitively, as in Label Studio.
 * Unknown attributes are ignored; unknown tags are refused. DOCTYPE
 * declarations are refused outright, so no entity (external or internal)
 * is ever expanded and nothing is fetched.
 *
 * Text span offsets (start/end of Labels on Text) are bounded by the text's
 * length in UTF-16 code units, the unit of JavaScript strings that Label
 * Studio historically stored. Newer Label Studio versions store code points;
 * a code-point offset is never larger than the UTF-16 one, so both pass.
 *
 * Every function is safe to call from several threads at once on the same
 * parsed config: a parsed config is never modified after parsing. */
#ifndef FC_WORK_LABELCONFIG_H
#define FC_WORK_LABELCONFIG_H

#include "core/err.h"

#include <jansson.h>
#include <stddef.h>

/* Configs larger than this are refused (400). */
#define FC_LABELCONFIG_MAX_BYTES (256 * 1024)

typedef struct fc_labelconfig fc_labelconfig;

/* Parses xml[0..len) (UTF-8; need not be NUL-terminated). On success stores
 * a new config in *out, owned by the caller (fc_labelconfig_free). On
 * failure returns FC_EINVAL with slug "invalid_label_config", field
 * "label_config" and a message naming the tag, attribute and line, and
 * leaves *out NULL; FC_ENOMEM when memory runs out. */
int fc_labelconfig_parse(const char *xml, size_t len, fc_labelconfig **out, fc_err *err);

/* Frees c; NULL is allowed. */
void fc_labelconfig_free(fc_labelconfig *c);

/* Checks a Label Studio result array
 *   [{"id","from_name","to_name","type","value":{…}}, …]
 * (relations are {"type":"relation","from_id","to_id","direction","labels"})
 * against c. task_data is the task's data object, used for text lengths,
 * paragraph counts, list ids and dynamic choices; it may be NULL, which
 * skips the checks that need it. Borrows both. Returns 0, or FC_EINVAL with
 * slug "invalid_result", the first failure as message and field (e.g.
 * "result[2].value.x") and every failure (up to 100) in err->details. */
int fc_labelconfig_validate_result(const fc_labelconfig *c, const json_t *result, const json_t *task_data, fc_err *err);

/* What the checks may ask outside the config and the task's data. */
typedef struct fc_labelconfig_env {
	/* The first and last time (lo <= hi) of a TimeSeries whose data is
	 * behind url (valueType="url"), read from column time_column (NULL: row
	 * numbers from 0); 0 when known, nonzero when not (the range is then
	 * not checked). */
	int (*url_span)(void *ctx, const char *url, const char *time_column, double *lo, double *hi);
	/* The duration in seconds of the stored recording behind url (its media
	 * probe); 0 when known, nonzero when not (TimelineLabels ranges are
	 * then checked only against a framesCount in the result). */
	int (*media_duration)(void *ctx, const char *url, double *seconds);
	void *ctx;
} fc_labelconfig_env;

/* fc_labelconfig_validate_result with env (may be NULL). */
int fc_labelconfig_validate_result_env(const fc_labelconfig *c, const json_t *result, const json_t *task_data,
				       const fc_labelconfig_env *env, fc_err *err);

/* A new reference (NULL only when out of memory):
 * {"objects":[{"name","type","value","field"}],
 *  "controls":[{"name","type","to_name":[…],"required","per_region",
 *               and where they apply: "labels"|"choices"|"relations"|"buckets":[…],
 *               "options":[{"value","alias","background","hotkey","max_usages"}],
 *               "choice","value","max_usages","min","max","max_rating",
 *               "max_submissions"}]}
 * "type" is the lowercase tag name (for controls, the result item "type",
 * except Relations → "relation"). Relations may have a null name. */
json_t *fc_labelconfig_describe(const fc_labelconfig *c);

/* A new reference (NULL only when out of memory): the task data fields the
 * config reads, in order of first use, e.g. ["image"] for value="$image";
 * task import uses it to warn about tasks that lack one. */
json_t *fc_labelconfig_fields(const fc_labelconfig *c);

#endif
