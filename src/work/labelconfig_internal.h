/* labelconfig_internal.h — what the files of the labelconfig module share;
 * callers outside src/work/labelconfig*.c use labelconfig.h only.
 *
 * Every tag has one row in fc_lc_tags (labelconfig_tags.c). The row is the
 * whole description of the tag: its kind, the attributes a control takes of
 * its own, the one child tag it allows, the objects it may label, and how
 * its result value is checked. The parser (labelconfig.c) and the result
 * check (labelconfig_result.c) both read the row, so a new tag is one row
 * plus, for a control, its value checker (labelconfig_values.c). */
#ifndef FC_WORK_LABELCONFIG_INTERNAL_H
#define FC_WORK_LABELCONFIG_INTERNAL_H

#include "work/labelconfig.h"

#include <jansson.h>
#include <stddef.h>

enum fc_lc_kind { K_LAYOUT, K_OBJECT, K_CONTROL, K_CHILD };

/* Object types are bits so a control can list the objects it works with. */
enum {
	O_IMAGE = 1 << 0,
	O_TEXT = 1 << 1,
	O_HYPERTEXT = 1 << 2,
	O_AUDIO = 1 << 3,
	O_VIDEO = 1 << 4,
	O_PARAGRAPHS = 1 << 5,
	O_LIST = 1 << 6,
	O_TABLE = 1 << 7,
	O_MARKDOWN = 1 << 8,
	O_PDF = 1 << 9,
	O_CHAT = 1 << 10,
	O_TIMESERIES = 1 << 11,
	O_ANY = (1 << 12) - 1,
};

/* Control types, for the few checks that look at another control's kind. */
enum {
	C_CHOICES = 1,
	C_LABELS,
	C_RECTANGLE,
	C_POLYGON,
	C_KEYPOINT,
	C_HYPERTEXTLABELS,
	C_PARAGRAPHLABELS,
	C_TEXTAREA,
	C_RATING,
	C_NUMBER,
	C_PAIRWISE,
	C_RANKER,
	C_RELATIONS,
	C_VIDEORECTANGLE,
	C_BRUSH,
	C_ELLIPSE,
	C_TAXONOMY,
	C_DATETIME,
	C_OCR,
	C_TOOL, /* Rectangle, Polygon, KeyPoint, Ellipse, Brush: regions without labels */
	C_TIMESERIESLABELS,
	C_TIMELINELABELS,
	C_BITMASK,
};

#define F_NEEDS_CHILD 1u   /* controls: useless without at least one option child */
#define F_REGION 2u        /* controls: its result items are regions other items point at */
#define F_JOINS 4u         /* controls: answers are "relation" items joining regions; may be unnamed */
#define F_PAIR 8u          /* controls: toName names exactly two objects */
#define F_DEPRECATED 16u   /* objects: an old spelling, left out of the lists in messages */
#define F_DATA_VALUE 32u   /* layout: value="$field" shows task data */
#define F_OPAQUE 64u       /* layout: its content means nothing to the model (CSS, UI filters) */
#define F_TO_OPTIONAL 128u /* controls: toName may be left out (Label Studio accepts it) */
#define F_TREE 256u        /* controls: children nest (Taxonomy), options form a tree */
#define F_REPEATER 512u    /* layout: its content repeats once per item of on="$list" */
#define F_CHANNELS 1024u   /* objects: holds <Channel column="…"/> children (TimeSeries) */

enum fc_lc_attr_type {
	A_BOOL,   /* "true"/"false"/"1"/"0"/"" into an int */
	A_LONG,   /* a whole number in [lo, hi] into a long */
	A_NUMBER, /* a finite number into a struct fc_lc_bound */
	A_WORD,   /* one of words[] into an int index; absent: words[0] */
	A_FIELD,  /* "$field" into a char * holding the field name */
	A_STRING, /* any text (one of words[] when set) into a char *; absent: NULL */
};

/* An attribute a control reads. The value lands at `offset` inside struct
 * fc_lc_control, so the checks that use it read a plain member. */
struct fc_lc_attr {
	const char *name; /* as in the XML (matched case-insensitively) */
	enum fc_lc_attr_type type;
	size_t offset;
	const char *shown;        /* key in fc_labelconfig_describe; NULL: not shown there */
	long lo, hi;              /* A_LONG: the range */
	long absent;              /* A_LONG: the value when the attribute is absent */
	const char *const *words; /* A_WORD: allowed words, NULL-terminated */
	const char *example;      /* A_FIELD: the field name suggested in the message */
	const char *not_below;    /* A_NUMBER: an earlier attribute this one may not be below */
};

struct fc_lc_bound {
	int set;
	double value;
};

struct vctx;
struct fc_lc_control;
struct fc_lc_object;

/* Checks a control's result value (an object) at path base; obj is the
 * object it labels (NULL when the control labels none). */
typedef void fc_lc_value_check(struct vctx *v, const char *base, const struct fc_lc_control *k,
			       const struct fc_lc_object *obj, const json_t *value);

struct fc_lc_tag {
	const char *name; /* canonical spelling, for messages */
	enum fc_lc_kind kind;
	int type;          /* O_* for objects, C_* for controls */
	const char *lower; /* objects: describe type; controls: result "type" */
	unsigned targets;  /* controls: O_* bits toName may point at */
	unsigned flags;
	/* controls */
	const char *child;              /* the one child tag allowed inside, or NULL */
	const char *options_key;        /* describe: key listing the options, or NULL */
	const struct fc_lc_attr *attrs; /* its own attributes, ended by a NULL name */
	fc_lc_value_check *check;       /* the value's shape, checked first */
	const char *label_key;          /* key in value listing option names (region labels), or NULL */
	const char *label_key_old;      /* the key older Label Studio versions wrote instead, or NULL */
	/* children */
	const char *option_attr; /* the attribute naming the option; NULL: adds no option */
};

extern const struct fc_lc_tag fc_lc_tags[];
extern const size_t fc_lc_ntags;
/* Attributes every control reads before its own. */
extern const struct fc_lc_attr fc_lc_control_attrs[];

/* The row for a tag name (case-insensitive), or NULL. */
const struct fc_lc_tag *fc_lc_find_tag(const char *name);

struct fc_lc_option {
	char *value;
	char *alias; /* when set, results carry the alias instead of value */
	char *background;
	char *hotkey;
	long max_usages;  /* 0: no limit of its own */
	ptrdiff_t parent; /* F_TREE controls: the enclosing option, or -1 at the top */
	int has_children; /* F_TREE controls: whether options nest inside it */
};

struct fc_lc_object {
	char *name;
	const struct fc_lc_tag *tag;
	char *value;        /* "$field" as written */
	char *field;        /* value without the '$' */
	int is_url;         /* valueType="url": the data holds a link, not the text */
	json_t *literal;    /* value written in the config itself (not "$field"): the text, else NULL */
	char *repeat_flag;  /* inside a Repeater: its indexFlag, which the name contains */
	char *repeat_field; /* inside a Repeater: the task list it repeats over */
	char *time_column;  /* TimeSeries timeColumn: the column holding the time, else NULL (row index) */
	char *text_key;     /* Paragraphs textKey: the key of a paragraph's text, else NULL ("text") */
	double frame_rate;  /* Video frameRate: frames a second (Label Studio's default, 24, when absent or bad) */
};

enum { CHOICE_SINGLE, CHOICE_SINGLE_RADIO, CHOICE_MULTIPLE };

struct fc_lc_control {
	char *name; /* NULL only for an unnamed Relations */
	const struct fc_lc_tag *tag;
	long line;
	char *to_raw; /* toName as written */
	size_t *to;   /* indexes into objects */
	size_t nto;
	struct fc_lc_option *opts;
	size_t nopts, capopts;
	size_t opt_base; /* first slot of this control's options in usage counts */
	/* attributes, filled through fc_lc_control_attrs and the tag's attrs */
	int required, per_region, per_item;
	long max_usages, max_rating, max_submissions;
	struct fc_lc_bound min, max;
	int choice;          /* Choices: CHOICE_* */
	char *dynamic_field; /* value="$field": options (choices, labels) come from the task */
	/* conditional display: visibleWhen and its whenTagName/whenLabelValue/whenChoiceValue */
	char *visible_when, *when_tag, *when_label, *when_choice;
	char *api_url;             /* Taxonomy apiUrl: options come from elsewhere */
	int leafs_only;            /* Taxonomy leafsOnly */
	char *dt_only, *dt_format; /* DateTime only="date,time" and format */
	char *dt_min, *dt_max;     /* DateTime min and max (ISO text) */
	char *repeat_flag;         /* inside a Repeater: its indexFlag, which the name contains */
	char *repeat_field;        /* inside a Repeater: the task list it repeats over */
};

struct fc_labelconfig {
	struct fc_lc_object *objects;
	size_t nobjects, capobjects;
	struct fc_lc_control *controls;
	size_t ncontrols, capcontrols;
	char **fields;
	size_t nfields, capfields;
	size_t total_opts;
};

/* ------------------------------------------------ result checking, shared */

#define FC_LC_PATH 128 /* room for paths like result[12345].value.sequence[678].height */

struct vctx {
	const fc_labelconfig *c;
	const json_t *data;
	fc_err *err;
	size_t nfail;
	size_t *usage;           /* per option, regions carrying it */
	size_t *used;            /* per control, result items from it */
	const char **region_ids; /* sorted ids of region items */
	size_t nregions;
	size_t nrelations;
	const json_t *item;            /* the result item being checked (its original_length) */
	const fc_labelconfig_env *env; /* may be NULL */
};

/* Records one failure at field (the first becomes the headline). */
void fc_lc_fail(struct vctx *v, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* dst = base + sep + key, cut short to fit n. */
void fc_lc_join(char *dst, size_t n, const char *base, const char *sep, const char *key);
/* dst = base + "[i]". */
void fc_lc_join_index(char *dst, size_t n, const char *base, size_t i);

/* What fc_lc_need accepts. */
enum fc_lc_json { J_NUMBER, J_INTEGER, J_STRING, J_ARRAY, J_OBJECT };

/* obj[key] when it has the wanted JSON type; otherwise records "PATH must be
 * WHAT." or "PATH is missing; it must be WHAT." and returns NULL. */
const json_t *fc_lc_need(struct vctx *v, const json_t *obj, const char *base, const char *key, enum fc_lc_json type,
			 const char *what);
/* obj[key] as a number / whole number / string; 0 (after recording the
 * failure) when it is missing or of another type. */
int fc_lc_need_number(struct vctx *v, const json_t *obj, const char *base, const char *key, double *out);
int fc_lc_need_integer(struct vctx *v, const json_t *obj, const char *base, const char *key, json_int_t *out);
int fc_lc_need_string(struct vctx *v, const json_t *obj, const char *base, const char *key, const char **out);

/* obj[key] as a non-empty array; otherwise records the failure ("PATH is
 * empty; EMPTY." when it has no element) and returns NULL. Fills f (of
 * FC_LC_PATH bytes) with the path of obj[key] either way. */
const json_t *fc_lc_need_list(struct vctx *v, const json_t *obj, const char *base, const char *key, const char *what,
			      const char *empty, char *f);
/* arr[i] as a string; otherwise records "PATH[i] must be WHAT." and returns
 * NULL. Fills fi (of FC_LC_PATH bytes) with the path f + "[i]". */
const char *fc_lc_string_at(struct vctx *v, const json_t *arr, size_t i, const char *f, char *fi, const char *what);

/* The index of the option results write as s, or -1. */
ptrdiff_t fc_lc_option_index(const struct fc_lc_control *k, const char *s);
/* Counts one use of option opt of k, for maxUsages. */
void fc_lc_count_option(struct vctx *v, const struct fc_lc_control *k, size_t opt);
/* The task's data for object o (its literal text when the config holds
 * it), or NULL. */
const json_t *fc_lc_data_of(const struct vctx *v, const struct fc_lc_object *o);

/* Every entry of arr (at path f) must be a string naming an option of k,
 * called a noun in messages, or be listed in more (when not NULL; see
 * fc_lc_listed); counts the options used. */
void fc_lc_check_options(struct vctx *v, const struct fc_lc_control *k, const json_t *arr, const char *f,
			 const char *noun, const json_t *more);
/* Whether s is in a task's list of dynamic options (strings, or objects with
 * "value" and nested "children"); anything but an array lists everything. */
int fc_lc_listed(const json_t *list, const char *s);

/* For a control with value="$field": the task's list of options (JSON
 * null, which lists everything, when the task's data is unknown); else NULL. */
const json_t *fc_lc_dynamic_list(const struct vctx *v, const struct fc_lc_control *k);

/* value[key] must list at least one option of k (the region's labels). */
void fc_lc_check_label_list(struct vctx *v, const char *base, const struct fc_lc_control *k, const json_t *value,
			    const char *key);

/* value.framesCount, the video's frame count Label Studio writes beside
 * video results: 0 when absent (or wrong, after recording the failure). */
json_int_t fc_lc_frames_count(struct vctx *v, const char *base, const json_t *value);

/* The value checkers the table names (labelconfig_values.c). */
fc_lc_value_check fc_lc_check_choices, fc_lc_check_span, fc_lc_check_paragraph_span, fc_lc_check_box,
	fc_lc_check_polygon, fc_lc_check_keypoint, fc_lc_check_textarea, fc_lc_check_rating, fc_lc_check_number,
	fc_lc_check_pairwise, fc_lc_check_ranker, fc_lc_check_video_track, fc_lc_check_brush, fc_lc_check_bitmask,
	fc_lc_check_ellipse, fc_lc_check_image_shape, fc_lc_check_taxonomy, fc_lc_check_datetime,
	fc_lc_check_timeseries, fc_lc_check_timeline;

/* Whether s is the name pattern (holding flag once, e.g. "page_{{idx}}")
 * with the flag replaced by a whole number; stores it in *idx. With flag
 * NULL, whether s equals pattern (idx 0). */
int fc_lc_name_match(const char *pattern, const char *flag, const char *s, long *idx);

#endif
