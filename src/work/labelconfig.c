#include "work/labelconfig.h"
#include "core/json.h"

#include <errno.h>
#include <limits.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

enum kind { K_LAYOUT, K_OBJECT, K_CONTROL, K_CHILD };

/* Object types are bits so a control can list the objects it works with. */
enum {
	O_IMAGE = 1 << 0,
	O_TEXT = 1 << 1,
	O_HYPERTEXT = 1 << 2,
	O_AUDIO = 1 << 3,
	O_VIDEO = 1 << 4,
	O_PARAGRAPHS = 1 << 5,
	O_LIST = 1 << 6,
	O_ANY = (1 << 7) - 1,
};

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
};

#define F_NEEDS_CHILD 1u /* useless without at least one option child */
#define F_REGION 2u      /* its result items are regions other items point at */

struct tag {
	const char *name;   /* canonical spelling, for messages */
	enum kind kind;
	int type;           /* O_* for objects, C_* for controls */
	const char *lower;  /* objects: describe type; controls: result "type" */
	const char *child;  /* controls: the option child tag */
	const char *key;    /* label-bearing controls: the key in value */
	unsigned targets;   /* controls: O_* bits toName may point at */
	unsigned flags;
};

static const struct tag tags[] = {
	{"View", K_LAYOUT, 0, NULL, NULL, NULL, 0, 0},
	{"Header", K_LAYOUT, 0, NULL, NULL, NULL, 0, 0},
	{"Style", K_LAYOUT, 0, NULL, NULL, NULL, 0, 0},
	{"Collapse", K_LAYOUT, 0, NULL, NULL, NULL, 0, 0},
	{"Panel", K_LAYOUT, 0, NULL, NULL, NULL, 0, 0},
	{"Filter", K_LAYOUT, 0, NULL, NULL, NULL, 0, 0},

	{"Image", K_OBJECT, O_IMAGE, "image", NULL, NULL, 0, 0},
	{"Text", K_OBJECT, O_TEXT, "text", NULL, NULL, 0, 0},
	{"HyperText", K_OBJECT, O_HYPERTEXT, "hypertext", NULL, NULL, 0, 0},
	{"Audio", K_OBJECT, O_AUDIO, "audio", NULL, NULL, 0, 0},
	/* Older Label Studio templates still use the deprecated AudioPlus. */
	{"AudioPlus", K_OBJECT, O_AUDIO, "audio", NULL, NULL, 0, 0},
	{"Video", K_OBJECT, O_VIDEO, "video", NULL, NULL, 0, 0},
	{"Paragraphs", K_OBJECT, O_PARAGRAPHS, "paragraphs", NULL, NULL, 0, 0},
	/* Ranker needs something to rank; in Label Studio that is a List. */
	{"List", K_OBJECT, O_LIST, "list", NULL, NULL, 0, 0},

	{"Choices", K_CONTROL, C_CHOICES, "choices", "Choice", "choices", O_ANY, F_NEEDS_CHILD},
	{"Labels", K_CONTROL, C_LABELS, "labels", "Label", "labels",
	 O_TEXT | O_HYPERTEXT | O_AUDIO | O_VIDEO, F_NEEDS_CHILD | F_REGION},
	{"RectangleLabels", K_CONTROL, C_RECTANGLE, "rectanglelabels", "Label", "rectanglelabels",
	 O_IMAGE, F_NEEDS_CHILD | F_REGION},
	{"PolygonLabels", K_CONTROL, C_POLYGON, "polygonlabels", "Label", "polygonlabels",
	 O_IMAGE, F_NEEDS_CHILD | F_REGION},
	{"KeyPointLabels", K_CONTROL, C_KEYPOINT, "keypointlabels", "Label", "keypointlabels",
	 O_IMAGE, F_NEEDS_CHILD | F_REGION},
	{"HyperTextLabels", K_CONTROL, C_HYPERTEXTLABELS, "hypertextlabels", "Label", "htmllabels",
	 O_HYPERTEXT, F_NEEDS_CHILD | F_REGION},
	{"ParagraphLabels", K_CONTROL, C_PARAGRAPHLABELS, "paragraphlabels", "Label",
	 "paragraphlabels", O_PARAGRAPHS, F_NEEDS_CHILD | F_REGION},
	{"TextArea", K_CONTROL, C_TEXTAREA, "textarea", "Shortcut", NULL, O_ANY, 0},
	{"Rating", K_CONTROL, C_RATING, "rating", NULL, NULL, O_ANY, 0},
	{"Number", K_CONTROL, C_NUMBER, "number", NULL, NULL, O_ANY, 0},
	{"Pairwise", K_CONTROL, C_PAIRWISE, "pairwise", NULL, NULL, O_ANY, 0},
	{"Ranker", K_CONTROL, C_RANKER, "ranker", "Bucket", NULL, O_LIST, 0},
	{"Relations", K_CONTROL, C_RELATIONS, "relation", "Relation", NULL, 0, F_NEEDS_CHILD},
	{"VideoRectangle", K_CONTROL, C_VIDEORECTANGLE, "videorectangle", NULL, NULL, O_VIDEO,
	 F_REGION},

	{"Choice", K_CHILD, 0, NULL, NULL, NULL, 0, 0},
	{"Label", K_CHILD, 0, NULL, NULL, NULL, 0, 0},
	{"Relation", K_CHILD, 0, NULL, NULL, NULL, 0, 0},
	{"Bucket", K_CHILD, 0, NULL, NULL, NULL, 0, 0},
	{"Shortcut", K_CHILD, 0, NULL, NULL, NULL, 0, 0},
};

struct option {
	char *value;
	char *alias;      /* when set, results carry the alias instead of value */
	char *background;
	char *hotkey;
	long max_usages;  /* 0: no limit of its own */
};

struct object {
	char *name;
	const struct tag *tag;
	char *value;  /* "$field" as written */
	char *field;  /* value without the '$' */
	int is_url;   /* valueType="url": the data holds a link, not the text */
};

struct control {
	char *name;   /* NULL only for an unnamed Relations */
	const struct tag *tag;
	long line;
	char *to_raw; /* toName as written */
	size_t *to;   /* indexes into objects */
	size_t nto;
	struct option *opts;
	size_t nopts, capopts;
	size_t opt_base; /* first slot of this control's options in usage counts */
	int required, per_region, multiple;
	long max_usages, max_rating, max_submissions;
	int has_min, has_max;
	double min, max;
	char *choice;        /* Choices: as written, for describe */
	char *dynamic_field; /* Choices value="$field": options come from the task */
};

struct fc_labelconfig {
	struct object *objects;
	size_t nobjects, capobjects;
	struct control *controls;
	size_t ncontrols, capcontrols;
	char **fields;
	size_t nfields, capfields;
	size_t total_opts;
};

/* ---------------------------------------------------------------- parsing */

struct parse {
	fc_labelconfig *c;
	fc_err *err;
};

#define CONFIG_SLUG "invalid_label_config"
#define CONFIG_FIELD "label_config"

__attribute__((format(printf, 2, 3)))
static int cfg_fail(struct parse *p, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fc_err_set(p->err, FC_EINVAL, CONFIG_SLUG, CONFIG_FIELD, "%s", msg);
}

static int oom(struct parse *p)
{
	return fc_err_set(p->err, FC_ENOMEM, NULL, NULL, "Out of memory while reading the labeling config.");
}

/* Grows *arr (of elements of size sz) so it holds at least n+1. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *q = realloc(*arr, ncap * sz);
	if (!q)
		return FC_ENOMEM;
	memset((char *)q + *cap * sz, 0, (ncap - *cap) * sz);
	*arr = q;
	*cap = ncap;
	return 0;
}

static const struct tag *find_tag(const char *name)
{
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (!strcasecmp(tags[i].name, name))
			return &tags[i];
	return NULL;
}

/* Label Studio lowercases attribute names, so templates mix toName and
 * toname freely; match the same way. Returns NULL when absent. */
static const char *attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if (strcasecmp((const char *)a->name, name))
			continue;
		/* Without a DOCTYPE there are no entity nodes, so an attribute is
		 * one text node, or none when empty. */
		if (a->children && a->children->type == XML_TEXT_NODE && a->children->content)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

static const char *nname(const xmlNode *n)
{
	return (const char *)n->name;
}

static int parse_bool(struct parse *p, const xmlNode *n, const char *name, int *out)
{
	const char *v = attr(n, name);
	*out = 0;
	if (!v)
		return 0;
	if (!strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (strcasecmp(v, "false") && strcmp(v, "0") && *v)
		return cfg_fail(p, "<%s> on line %ld: attribute %s must be \"true\" or \"false\", not \"%s\".",
				nname(n), xmlGetLineNo(n), name, v);
	return 0;
}

static int parse_long(struct parse *p, const xmlNode *n, const char *name, long lo, long hi,
		      long *out)
{
	const char *v = attr(n, name);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	while (*end == ' ')
		end++;
	if (end == v || *end || errno || x < lo || x > hi)
		return cfg_fail(p, "<%s> on line %ld: attribute %s must be a whole number from %ld to %ld, not \"%s\".",
				nname(n), xmlGetLineNo(n), name, lo, hi, v);
	*out = x;
	return 0;
}

static int parse_double(struct parse *p, const xmlNode *n, const char *name, int *has,
			double *out)
{
	const char *v = attr(n, name);
	if (!v)
		return 0;
	char *end;
	double x = strtod(v, &end);
	while (*end == ' ')
		end++;
	if (end == v || *end || !isfinite(x))
		return cfg_fail(p, "<%s> on line %ld: attribute %s must be a number, not \"%s\".",
				nname(n), xmlGetLineNo(n), name, v);
	*has = 1;
	*out = x;
	return 0;
}

static int dup_str(struct parse *p, char **dst, const char *src)
{
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : oom(p);
}

static int add_field(struct parse *p, const char *field)
{
	fc_labelconfig *c = p->c;
	for (size_t i = 0; i < c->nfields; i++)
		if (!strcmp(c->fields[i], field))
			return 0;
	if (grow((void **)&c->fields, &c->capfields, c->nfields, sizeof *c->fields))
		return oom(p);
	if (dup_str(p, &c->fields[c->nfields], field))
		return FC_ENOMEM;
	c->nfields++;
	return 0;
}

/* A reference to task data is "$name"; the name must not be empty and
 * must not contain spaces (a "$" inside prose is not a reference). */
static int is_reference(const char *v)
{
	if (!v || v[0] != '$' || !v[1])
		return 0;
	for (const char *s = v + 1; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '$')
			return 0;
	return 1;
}

static int name_taken(const fc_labelconfig *c, const char *name)
{
	for (size_t i = 0; i < c->nobjects; i++)
		if (!strcmp(c->objects[i].name, name))
			return 1;
	for (size_t i = 0; i < c->ncontrols; i++)
		if (c->controls[i].name && !strcmp(c->controls[i].name, name))
			return 1;
	return 0;
}

static int check_name(struct parse *p, const xmlNode *n, const char **out, int optional)
{
	const char *name = attr(n, "name");
	*out = NULL;
	if (!name || !*name) {
		if (optional)
			return 0;
		return cfg_fail(p, "<%s> on line %ld is missing the name attribute.", nname(n),
				xmlGetLineNo(n));
	}
	if (name_taken(p->c, name))
		return cfg_fail(p, "<%s> on line %ld: name \"%s\" is already used by another tag; names must be unique.",
				nname(n), xmlGetLineNo(n), name);
	*out = name;
	return 0;
}

static int parse_object(struct parse *p, const xmlNode *n, const struct tag *t)
{
	fc_labelconfig *c = p->c;
	const char *name;
	int rc = check_name(p, n, &name, 0);
	if (rc)
		return rc;
	/* Multi-image tasks give a list instead of one value. */
	const char *value = attr(n, "value");
	if (!value || !*value)
		value = attr(n, "valueList");
	if (!value || !*value)
		return cfg_fail(p, "<%s name=\"%s\"> on line %ld is missing the value attribute (e.g. value=\"$%s\").",
				nname(n), name, xmlGetLineNo(n), name);
	if (!is_reference(value))
		return cfg_fail(p, "<%s name=\"%s\"> on line %ld: attribute value must name a task data field like \"$%s\", not \"%s\".",
				nname(n), name, xmlGetLineNo(n), name, value);
	for (const xmlNode *k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			return cfg_fail(p, "<%s> on line %ld cannot contain <%s>.", nname(n),
					xmlGetLineNo(n), nname(k));
	if (grow((void **)&c->objects, &c->capobjects, c->nobjects, sizeof *c->objects))
		return oom(p);
	struct object *o = &c->objects[c->nobjects++];
	o->tag = t;
	const char *vt = attr(n, "valueType");
	o->is_url = vt && !strcasecmp(vt, "url");
	if (dup_str(p, &o->name, name) || dup_str(p, &o->value, value) ||
	    dup_str(p, &o->field, value + 1))
		return FC_ENOMEM;
	if ((rc = add_field(p, o->field)))
		return rc;
	/* Other data an object shows, such as Paragraphs' audioUrl="$audio". */
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		const char *v = a->children && a->children->type == XML_TEXT_NODE
					? (const char *)a->children->content : NULL;
		if (is_reference(v) && (rc = add_field(p, v + 1)))
			return rc;
	}
	return 0;
}

static int walk(struct parse *p, const xmlNode *parent, size_t ctl);
#define NO_CONTROL SIZE_MAX

static int parse_control(struct parse *p, const xmlNode *n, const struct tag *t)
{
	fc_labelconfig *c = p->c;
	int unnamed_ok = t->type == C_RELATIONS;
	const char *name;
	int rc = check_name(p, n, &name, unnamed_ok);
	if (rc)
		return rc;
	const char *to = attr(n, "toName");
	if ((!to || !*to) && !unnamed_ok)
		return cfg_fail(p, "<%s name=\"%s\"> on line %ld is missing the toName attribute.",
				nname(n), name, xmlGetLineNo(n));

	if (grow((void **)&c->controls, &c->capcontrols, c->ncontrols, sizeof *c->controls))
		return oom(p);
	size_t idx = c->ncontrols++;
	struct control *k = &c->controls[idx];
	k->tag = t;
	k->line = xmlGetLineNo(n);
	k->max_rating = 5;
	/* Relations join regions, whatever object they are on. */
	if (unnamed_ok)
		to = NULL;
	if (dup_str(p, &k->name, name) || dup_str(p, &k->to_raw, to && *to ? to : NULL))
		return FC_ENOMEM;
	if ((rc = parse_bool(p, n, "required", &k->required)) ||
	    (rc = parse_bool(p, n, "perRegion", &k->per_region)) ||
	    (rc = parse_long(p, n, "maxUsages", 0, 1000000, &k->max_usages)))
		return rc;
	if (unnamed_ok)
		k->per_region = 0;

	switch (t->type) {
	case C_CHOICES: {
		const char *choice = attr(n, "choice");
		if (choice && strcmp(choice, "single") && strcmp(choice, "single-radio") &&
		    strcmp(choice, "multiple"))
			return cfg_fail(p, "<%s name=\"%s\"> on line %ld: attribute choice must be \"single\", \"single-radio\" or \"multiple\", not \"%s\".",
					nname(n), name, k->line, choice);
		k->multiple = choice && !strcmp(choice, "multiple");
		if (dup_str(p, &k->choice, choice ? choice : "single"))
			return FC_ENOMEM;
		const char *value = attr(n, "value");
		if (value && *value) {
			if (!is_reference(value))
				return cfg_fail(p, "<%s name=\"%s\"> on line %ld: attribute value must name a task data field like \"$options\", not \"%s\".",
						nname(n), name, k->line, value);
			if (dup_str(p, &k->dynamic_field, value + 1) || add_field(p, value + 1))
				return FC_ENOMEM;
		}
		break;
	}
	case C_RATING:
		if ((rc = parse_long(p, n, "maxRating", 1, 100, &k->max_rating)))
			return rc;
		break;
	case C_NUMBER:
		if ((rc = parse_double(p, n, "min", &k->has_min, &k->min)) ||
		    (rc = parse_double(p, n, "max", &k->has_max, &k->max)))
			return rc;
		if (k->has_min && k->has_max && k->min > k->max)
			return cfg_fail(p, "<%s name=\"%s\"> on line %ld: min (%g) is greater than max (%g).",
					nname(n), name, k->line, k->min, k->max);
		break;
	case C_TEXTAREA:
		if ((rc = parse_long(p, n, "maxSubmissions", 0, 1000000, &k->max_submissions)))
			return rc;
		break;
	default:
		break;
	}

	/* Children only add options to this control, never new controls, so
	 * the index stays valid across the walk. */
	if ((rc = walk(p, n, idx)))
		return rc;
	k = &c->controls[idx];
	if ((t->flags & F_NEEDS_CHILD) && k->nopts == 0 && !k->dynamic_field)
		return cfg_fail(p, "<%s%s%s%s> on line %ld has no <%s> children; add at least one.",
				nname(n), name ? " name=\"" : "", name ? name : "", name ? "\"" : "",
				k->line, t->child);
	k->opt_base = c->total_opts;
	c->total_opts += k->nopts;
	return 0;
}

static int parse_child(struct parse *p, const xmlNode *n, const struct tag *t, size_t ctl)
{
	fc_labelconfig *c = p->c;
	struct control *k = ctl == NO_CONTROL ? NULL : &c->controls[ctl];
	if (!k || !k->tag->child || strcasecmp(k->tag->child, t->name)) {
		const char *where = "";
		switch (t->name[0]) {
		case 'C': where = "Choices"; break;
		case 'L': where = "Labels, RectangleLabels, PolygonLabels, KeyPointLabels, HyperTextLabels or ParagraphLabels"; break;
		case 'R': where = "Relations"; break;
		case 'B': where = "Ranker"; break;
		default: where = "TextArea"; break;
		}
		return cfg_fail(p, "<%s> on line %ld must be inside %s%s%s.", nname(n), xmlGetLineNo(n),
				where, k ? ", not " : "", k ? k->tag->name : "");
	}
	for (const xmlNode *e = n->children; e; e = e->next)
		if (e->type == XML_ELEMENT_NODE)
			return cfg_fail(p, "<%s> on line %ld cannot contain <%s>.", nname(n),
					xmlGetLineNo(n), nname(e));
	if (!strcasecmp(t->name, "Shortcut"))
		return 0; /* text snippets for the UI; results never carry them */

	/* Buckets are named, the other children carry a value. */
	const char *key = !strcasecmp(t->name, "Bucket") ? "name" : "value";
	const char *value = attr(n, key);
	if (!value || !*value)
		return cfg_fail(p, "<%s> on line %ld is missing the %s attribute.", nname(n),
				xmlGetLineNo(n), key);
	const char *alias = attr(n, "alias");
	if (alias && !*alias)
		alias = NULL;
	const char *match = alias ? alias : value;
	for (size_t i = 0; i < k->nopts; i++) {
		const char *other = k->opts[i].alias ? k->opts[i].alias : k->opts[i].value;
		if (!strcmp(other, match))
			return cfg_fail(p, "<%s> on line %ld: %s \"%s\" appears twice in <%s%s%s>.",
					nname(n), xmlGetLineNo(n), key, match, k->tag->name,
					k->name ? " name=" : "", k->name ? k->name : "");
	}
	if (grow((void **)&k->opts, &k->capopts, k->nopts, sizeof *k->opts))
		return oom(p);
	struct option *o = &k->opts[k->nopts++];
	int rc = parse_long(p, n, "maxUsages", 0, 1000000, &o->max_usages);
	if (rc)
		return rc;
	if (dup_str(p, &o->value, value) || dup_str(p, &o->alias, alias) ||
	    dup_str(p, &o->background, attr(n, "background")) ||
	    dup_str(p, &o->hotkey, attr(n, "hotkey")))
		return FC_ENOMEM;
	return 0;
}

static int walk(struct parse *p, const xmlNode *parent, size_t ctl)
{
	int rc;
	for (const xmlNode *n = parent->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const struct tag *t = find_tag(nname(n));
		if (!t)
			return cfg_fail(p, "Unknown tag <%s> on line %ld; see the list of supported tags in the API documentation.",
					nname(n), xmlGetLineNo(n));
		switch (t->kind) {
		case K_LAYOUT:
			if (!strcasecmp(t->name, "Header")) {
				const char *v = attr(n, "value");
				if (is_reference(v) && (rc = add_field(p, v + 1)))
					return rc;
			}
			/* Style holds CSS and Filter drives the UI only; neither has
			 * anything the model needs. */
			if (!strcasecmp(t->name, "Style") || !strcasecmp(t->name, "Filter"))
				break;
			if ((rc = walk(p, n, ctl)))
				return rc;
			break;
		case K_OBJECT:
		case K_CONTROL:
			if (ctl != NO_CONTROL)
				return cfg_fail(p, "<%s> on line %ld cannot be inside <%s name=\"%s\">.",
						nname(n), xmlGetLineNo(n), p->c->controls[ctl].tag->name,
						p->c->controls[ctl].name ? p->c->controls[ctl].name : "");
			rc = t->kind == K_OBJECT ? parse_object(p, n, t) : parse_control(p, n, t);
			if (rc)
				return rc;
			break;
		case K_CHILD:
			if ((rc = parse_child(p, n, t, ctl)))
				return rc;
			break;
		}
	}
	return 0;
}

static void describe_targets(unsigned bits, char *buf, size_t n)
{
	buf[0] = 0;
	size_t len = 0;
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		if (tags[i].kind != K_OBJECT || !(tags[i].type & bits) ||
		    !strcmp(tags[i].name, "AudioPlus"))
			continue;
		len += snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? ", " : "", tags[i].name);
		if (len >= n)
			return;
	}
}

static ssize_t find_object(const fc_labelconfig *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->nobjects; i++)
		if (strlen(c->objects[i].name) == len && !memcmp(c->objects[i].name, name, len))
			return (ssize_t)i;
	return -1;
}

/* toName may name several objects ("text1,text2"); they may also be
 * declared after the control, so this runs once the whole tree is read. */
static int resolve_targets(struct parse *p, struct control *k)
{
	fc_labelconfig *c = p->c;
	if (!k->to_raw)
		return 0;
	size_t parts = 1;
	for (const char *s = k->to_raw; *s; s++)
		parts += *s == ',';
	k->to = calloc(parts, sizeof *k->to);
	if (!k->to)
		return oom(p);
	const char *s = k->to_raw;
	for (;;) {
		const char *e = strchr(s, ',');
		if (!e)
			e = s + strlen(s);
		const char *a = s, *b = e;
		while (a < b && (*a == ' ' || *a == '\t' || *a == '\n'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n'))
			b--;
		if (a == b)
			return cfg_fail(p, "<%s name=\"%s\"> on line %ld: toName \"%s\" has an empty name in its list.",
					k->tag->name, k->name, k->line, k->to_raw);
		ssize_t o = find_object(c, a, (size_t)(b - a));
		if (o < 0) {
			int is_control = 0;
			for (size_t i = 0; i < c->ncontrols; i++)
				if (c->controls[i].name && strlen(c->controls[i].name) == (size_t)(b - a) &&
				    !memcmp(c->controls[i].name, a, (size_t)(b - a)))
					is_control = 1;
			return cfg_fail(p, "<%s name=\"%s\"> on line %ld: toName \"%.*s\" %s.",
					k->tag->name, k->name, k->line, (int)(b - a), a,
					is_control ? "names a control, but it must name an object such as Image or Text"
						   : "names no object in the config");
		}
		const struct object *obj = &c->objects[o];
		if (!(obj->tag->type & k->tag->targets)) {
			char allowed[160];
			describe_targets(k->tag->targets, allowed, sizeof allowed);
			return cfg_fail(p, "<%s name=\"%s\"> on line %ld: toName \"%s\" is a <%s>, but %s works only with %s.",
					k->tag->name, k->name, k->line, obj->name, obj->tag->name,
					k->tag->name, allowed);
		}
		k->to[k->nto++] = (size_t)o;
		if (!*e)
			break;
		s = e + 1;
	}
	if (k->tag->type == C_PAIRWISE && k->nto != 2)
		return cfg_fail(p, "<%s name=\"%s\"> on line %ld: toName must name exactly two objects to compare, like \"left,right\".",
				k->tag->name, k->name, k->line);
	return 0;
}

struct first_error {
	char msg[200];
	int line;
	int seen;
};

/* libxml2 keeps only its last error, which after a mismatched tag is the
 * less helpful "premature end of data"; the first one names the culprit. */
static void keep_first_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxt *ctxt = ctx;
	struct first_error *fe = ctxt ? ctxt->_private : NULL;
	if (!fe || fe->seen || !e || e->level < XML_ERR_ERROR)
		return;
	fe->seen = 1;
	fe->line = e->line;
	snprintf(fe->msg, sizeof fe->msg, "%s", e->message ? e->message : "syntax error");
	size_t m = strlen(fe->msg);
	while (m && (fe->msg[m - 1] == '\n' || fe->msg[m - 1] == ' '))
		fe->msg[--m] = 0;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
	xmlInitParser();
}

static int has_doctype(const char *xml, size_t len)
{
	static const char needle[] = "<!DOCTYPE";
	return memmem(xml, len, needle, sizeof needle - 1) != NULL;
}

int fc_labelconfig_parse(const char *xml, size_t len, fc_labelconfig **out, fc_err *err)
{
	int rc = 0;
	xmlParserCtxt *ctxt = NULL;
	xmlDoc *doc = NULL;
	struct parse p = {.err = err};
	struct first_error fe = {.msg = "unexpected end of input"};
	*out = NULL;

	if (!xml || len == 0)
		return fc_err_set(err, FC_EINVAL, CONFIG_SLUG, CONFIG_FIELD,
				  "The labeling config is empty; it must be XML with a <View> root.");
	if (len > FC_LABELCONFIG_MAX_BYTES)
		return fc_err_set(err, FC_EINVAL, CONFIG_SLUG, CONFIG_FIELD,
				  "The labeling config is %zu bytes; the limit is %d KiB.", len,
				  FC_LABELCONFIG_MAX_BYTES / 1024);
	/* Refusing DOCTYPE before libxml2 sees the text rules out external
	 * entities (XXE) and entity expansion bombs, whatever the library's
	 * defaults; Label Studio templates never declare one. */
	if (has_doctype(xml, len))
		return fc_err_set(err, FC_EINVAL, CONFIG_SLUG, CONFIG_FIELD,
				  "The labeling config must not contain a <!DOCTYPE> declaration.");

	p.c = calloc(1, sizeof *p.c);
	if (!p.c)
		return oom(&p);
	pthread_once(&xml_once, xml_init);
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		rc = oom(&p);
		goto out;
	}
	ctxt->_private = &fe;
	ctxt->sax->serror = keep_first_error;
	/* NONET and no NOENT/DTDLOAD: nothing is fetched or substituted. The
	 * text arrives inside JSON, so it is UTF-8 whatever its prolog says. */
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "label_config.xml", "UTF-8",
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_BIG_LINES);
	if (!doc || !ctxt->wellFormed) {
		rc = cfg_fail(&p, "The labeling config is not well-formed XML: %s (line %d).", fe.msg,
			      fe.line);
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		rc = cfg_fail(&p, "The labeling config must not contain a <!DOCTYPE> declaration.");
		goto out;
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || strcasecmp(nname(root), "View")) {
		rc = cfg_fail(&p, "The labeling config's root tag must be <View>, not <%s>.",
			      root ? nname(root) : "");
		goto out;
	}
	if ((rc = walk(&p, root, NO_CONTROL)))
		goto out;
	size_t answering = 0;
	for (size_t i = 0; i < p.c->ncontrols; i++) {
		if ((rc = resolve_targets(&p, &p.c->controls[i])))
			goto out;
		answering += p.c->controls[i].tag->type != C_RELATIONS;
	}
	if (answering == 0) {
		rc = cfg_fail(&p, "The labeling config has no control tag (such as Choices, Labels or RectangleLabels), so there is nothing to answer.");
		goto out;
	}
	*out = p.c;
	p.c = NULL;
out:
	fc_labelconfig_free(p.c);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

void fc_labelconfig_free(fc_labelconfig *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nobjects; i++) {
		free(c->objects[i].name);
		free(c->objects[i].value);
		free(c->objects[i].field);
	}
	for (size_t i = 0; i < c->ncontrols; i++) {
		struct control *k = &c->controls[i];
		for (size_t j = 0; j < k->nopts; j++) {
			free(k->opts[j].value);
			free(k->opts[j].alias);
			free(k->opts[j].background);
			free(k->opts[j].hotkey);
		}
		free(k->opts);
		free(k->name);
		free(k->to_raw);
		free(k->to);
		free(k->choice);
		free(k->dynamic_field);
	}
	for (size_t i = 0; i < c->nfields; i++)
		free(c->fields[i]);
	free(c->fields);
	free(c->objects);
	free(c->controls);
	free(c);
}

/* ---------------------------------------------------------------- describe */

json_t *fc_labelconfig_fields(const fc_labelconfig *c)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < c->nfields; i++)
		if (json_array_append_new(a, json_string(c->fields[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static const char *options_key(const struct control *k)
{
	switch (k->tag->type) {
	case C_CHOICES: return "choices";
	case C_RELATIONS: return "relations";
	case C_RANKER: return "buckets";
	default: return "labels";
	}
}

static json_t *describe_control(const fc_labelconfig *c, const struct control *k)
{
	json_t *to = json_array();
	for (size_t i = 0; to && i < k->nto; i++)
		json_array_append_new(to, json_string(c->objects[k->to[i]].name));
	json_t *j = json_pack("{s:o?,s:s,s:o,s:b,s:b}", "name", k->name ? json_string(k->name) : NULL,
			      "type", k->tag->lower, "to_name", to, "required", k->required,
			      "per_region", k->per_region);
	if (!j)
		return NULL;
	if (k->tag->child && k->tag->type != C_TEXTAREA) {
		json_t *names = json_array(), *opts = json_array();
		json_object_set_new(j, options_key(k), names);
		json_object_set_new(j, "options", opts);
		for (size_t i = 0; names && opts && i < k->nopts; i++) {
			const struct option *o = &k->opts[i];
			json_array_append_new(names, json_string(o->alias ? o->alias : o->value));
			json_t *oj = json_pack("{s:s}", "value", o->value);
			if (o->alias)
				json_object_set_new(oj, "alias", json_string(o->alias));
			if (o->background)
				json_object_set_new(oj, "background", json_string(o->background));
			if (o->hotkey)
				json_object_set_new(oj, "hotkey", json_string(o->hotkey));
			if (o->max_usages)
				json_object_set_new(oj, "max_usages", json_integer(o->max_usages));
			json_array_append_new(opts, oj);
		}
	}
	if (k->max_usages)
		json_object_set_new(j, "max_usages", json_integer(k->max_usages));
	switch (k->tag->type) {
	case C_CHOICES:
		json_object_set_new(j, "choice", json_string(k->choice));
		if (k->dynamic_field)
			json_object_set_new(j, "value", json_sprintf("$%s", k->dynamic_field));
		break;
	case C_RATING:
		json_object_set_new(j, "max_rating", json_integer(k->max_rating));
		break;
	case C_NUMBER:
		if (k->has_min)
			json_object_set_new(j, "min", json_real(k->min));
		if (k->has_max)
			json_object_set_new(j, "max", json_real(k->max));
		break;
	case C_TEXTAREA:
		if (k->max_submissions)
			json_object_set_new(j, "max_submissions", json_integer(k->max_submissions));
		break;
	default:
		break;
	}
	return j;
}

json_t *fc_labelconfig_describe(const fc_labelconfig *c)
{
	json_t *objects = json_array(), *controls = json_array();
	json_t *out = json_pack("{s:o,s:o}", "objects", objects, "controls", controls);
	if (!out)
		return NULL;
	for (size_t i = 0; i < c->nobjects; i++) {
		const struct object *o = &c->objects[i];
		json_t *oj = json_pack("{s:s,s:s,s:s,s:s}", "name", o->name, "type", o->tag->lower,
				       "value", o->value, "field", o->field);
		if (!oj || json_array_append_new(objects, oj))
			goto fail;
	}
	for (size_t i = 0; i < c->ncontrols; i++) {
		json_t *cj = describe_control(c, &c->controls[i]);
		if (!cj || json_array_append_new(controls, cj))
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* ---------------------------------------------------------------- results */

#define MAX_DETAILS 100
#define PERCENT_EPS 1e-4 /* float noise in percent coordinates from the UI */

struct vctx {
	const fc_labelconfig *c;
	const json_t *data;
	fc_err *err;
	size_t nfail;
	size_t *usage;       /* per option, regions carrying it */
	size_t *used;        /* per control, result items from it */
	const char **region_ids; /* sorted ids of region items */
	size_t nregions;
	size_t nrelations;
};

__attribute__((format(printf, 3, 4)))
static void vfail(struct vctx *v, const char *field, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (v->nfail == 0)
		fc_err_set(v->err, FC_EINVAL, "invalid_result", field, "%s", msg);
	if (v->nfail < MAX_DETAILS)
		fc_err_add_detail(v->err, "invalid_result", field, "%s", msg);
	v->nfail++;
}

static const struct control *control_named(const fc_labelconfig *c, const char *name)
{
	for (size_t i = 0; i < c->ncontrols; i++)
		if (c->controls[i].name && !strcmp(c->controls[i].name, name))
			return &c->controls[i];
	return NULL;
}

static ssize_t option_index(const struct control *k, const char *s)
{
	for (size_t i = 0; i < k->nopts; i++)
		if (!strcmp(k->opts[i].alias ? k->opts[i].alias : k->opts[i].value, s))
			return (ssize_t)i;
	return -1;
}

static int is_region_type(const char *type)
{
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (tags[i].kind == K_CONTROL && (tags[i].flags & F_REGION) && !strcmp(tags[i].lower, type))
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_region_id(const struct vctx *v, const char *id)
{
	return v->nregions &&
	       bsearch(&id, v->region_ids, v->nregions, sizeof *v->region_ids, cmp_str) != NULL;
}

/* JavaScript string length: code points above U+FFFF take two units. */
static size_t utf16_length(const char *s, size_t bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < bytes; i++) {
		unsigned char b = (unsigned char)s[i];
		if ((b & 0xC0) != 0x80)
			n += b >= 0xF0 ? 2 : 1;
	}
	return n;
}

static const json_t *data_of(const struct vctx *v, const struct object *o)
{
	return v->data && o ? json_object_get(v->data, o->field) : NULL;
}


#define PATH 128 /* room for paths like result[12345].value.sequence[678].height */

/* Field paths are built by hand rather than with snprintf so that a path
 * cut short is an accepted outcome (fc_err keeps 96 bytes of it anyway). */
static void join(char *dst, size_t n, const char *base, const char *sep, const char *key)
{
	const char *parts[3] = {base, sep, key};
	size_t len = 0;
	for (int i = 0; i < 3; i++)
		for (const char *c = parts[i]; *c && len + 1 < n; c++)
			dst[len++] = *c;
	dst[len] = 0;
}

static void join_index(char *dst, size_t n, const char *base, size_t i)
{
	char idx[32];
	snprintf(idx, sizeof idx, "[%zu]", i);
	join(dst, n, base, idx, "");
}

static int need_number(struct vctx *v, const json_t *obj, const char *base, const char *key,
		       double *out)
{
	const json_t *j = json_object_get(obj, key);
	if (json_is_number(j)) {
		*out = json_number_value(j);
		return 1;
	}
	char f[PATH];
	join(f, sizeof f, base, ".", key);
	vfail(v, f, j ? "%s must be a number." : "%s is missing; it must be a number.", f);
	return 0;
}

static int need_integer(struct vctx *v, const json_t *obj, const char *base, const char *key,
			json_int_t *out)
{
	const json_t *j = json_object_get(obj, key);
	if (json_is_integer(j)) {
		*out = json_integer_value(j);
		return 1;
	}
	char f[PATH];
	join(f, sizeof f, base, ".", key);
	vfail(v, f, j ? "%s must be a whole number." : "%s is missing; it must be a whole number.", f);
	return 0;
}

static int need_string(struct vctx *v, const json_t *obj, const char *base, const char *key,
		       const char **out)
{
	const json_t *j = json_object_get(obj, key);
	if (json_is_string(j)) {
		*out = json_string_value(j);
		return 1;
	}
	char f[PATH];
	join(f, sizeof f, base, ".", key);
	vfail(v, f, j ? "%s must be a string." : "%s is missing; it must be a string.", f);
	return 0;
}

static void check_percent(struct vctx *v, const char *base, const char *key, double x,
			  const char *what)
{
	if (x >= -PERCENT_EPS && x <= 100 + PERCENT_EPS)
		return;
	char f[PATH];
	join(f, sizeof f, base, ".", key);
	vfail(v, f, "%s is %g; it must be between 0 and 100 (percent of the %s).", f, x, what);
}

/* A box in percent of the image or frame, as Label Studio stores it. */
static void check_box(struct vctx *v, const json_t *box, const char *base)
{
	double x = 0, y = 0, w = 0, h = 0, rotation = 0;
	char f[PATH];
	int hx = need_number(v, box, base, "x", &x);
	int hy = need_number(v, box, base, "y", &y);
	int hw = need_number(v, box, base, "width", &w);
	int hh = need_number(v, box, base, "height", &h);
	if (hx)
		check_percent(v, base, "x", x, "image width");
	if (hy)
		check_percent(v, base, "y", y, "image height");
	if (hw && !(w > 0)) {
		join(f, sizeof f, base, ".", "width");
		vfail(v, f, "%s is %g; it must be greater than 0.", f, w);
		hw = 0;
	}
	if (hh && !(h > 0)) {
		join(f, sizeof f, base, ".", "height");
		vfail(v, f, "%s is %g; it must be greater than 0.", f, h);
		hh = 0;
	}
	const json_t *r = json_object_get(box, "rotation");
	if (r && !json_is_number(r)) {
		join(f, sizeof f, base, ".", "rotation");
		vfail(v, f, "%s must be a number of degrees.", f);
	} else if (r) {
		rotation = json_number_value(r);
	}
	/* A rotated box turns about its top-left corner and may legitimately
	 * reach past x + width, so the extent rule only holds unrotated. */
	if (fmod(rotation, 360.0) != 0)
		return;
	if (hx && hw && x + w > 100 + PERCENT_EPS) {
		join(f, sizeof f, base, ".", "width");
		vfail(v, f, "%s: x + width is %g; the box must end inside the image (at most 100).",
		      base, x + w);
	}
	if (hy && hh && y + h > 100 + PERCENT_EPS) {
		join(f, sizeof f, base, ".", "height");
		vfail(v, f, "%s: y + height is %g; the box must end inside the image (at most 100).",
		      base, y + h);
	}
}

static void count_label(struct vctx *v, const struct control *k, size_t opt)
{
	v->usage[k->opt_base + opt]++;
}

/* value[key] must list at least one label of control k. */
static void check_label_list(struct vctx *v, const char *base, const struct control *k,
			     const json_t *value, const char *key)
{
	char f[PATH];
	join(f, sizeof f, base, ".", key);
	const json_t *arr = json_object_get(value, key);
	if (!json_is_array(arr)) {
		vfail(v, f, arr ? "%s must be an array of label names." : "%s is missing; it must be an array of label names.", f);
		return;
	}
	if (json_array_size(arr) == 0) {
		vfail(v, f, "%s is empty; a region needs at least one label.", f);
		return;
	}
	size_t i;
	const json_t *s;
	json_array_foreach(arr, i, s) {
		char fi[PATH];
		join_index(fi, sizeof fi, f, i);
		if (!json_is_string(s)) {
			vfail(v, fi, "%s must be a string.", fi);
			continue;
		}
		ssize_t o = option_index(k, json_string_value(s));
		if (o < 0)
			vfail(v, fi, "%s: \"%s\" is not a label of <%s name=\"%s\">.", fi,
			      json_string_value(s), k->tag->name, k->name);
		else
			count_label(v, k, (size_t)o);
	}
}

/* Video boxes carry labels from a separate Labels control on the same video. */
static void check_video_labels(struct vctx *v, const char *base, const json_t *value,
			       const struct object *obj)
{
	const fc_labelconfig *c = v->c;
	const json_t *arr = json_object_get(value, "labels");
	char f[PATH];
	join(f, sizeof f, base, ".", "labels");
	if (!arr)
		return;
	if (!json_is_array(arr)) {
		vfail(v, f, "%s must be an array of label names.", f);
		return;
	}
	size_t i;
	const json_t *s;
	json_array_foreach(arr, i, s) {
		char fi[PATH];
		join_index(fi, sizeof fi, f, i);
		if (!json_is_string(s)) {
			vfail(v, fi, "%s must be a string.", fi);
			continue;
		}
		int found = 0;
		for (size_t ci = 0; ci < c->ncontrols && !found; ci++) {
			const struct control *k = &c->controls[ci];
			if (k->tag->type != C_LABELS)
				continue;
			int targets = !obj;
			for (size_t t = 0; t < k->nto && !targets; t++)
				targets = &c->objects[k->to[t]] == obj;
			ssize_t o = targets ? option_index(k, json_string_value(s)) : -1;
			if (o >= 0) {
				count_label(v, k, (size_t)o);
				v->used[ci]++;
				found = 1;
			}
		}
		if (!found)
			vfail(v, fi, "%s: \"%s\" is not a label of any <Labels> on this video.", fi,
			      json_string_value(s));
	}
}

static void check_optional_text(struct vctx *v, const char *base, const json_t *value)
{
	const json_t *t = json_object_get(value, "text");
	if (t && !json_is_string(t)) {
		char f[PATH];
		join(f, sizeof f, base, ".", "text");
		vfail(v, f, "%s must be a string (the labelled text).", f);
	}
}

static void check_offsets(struct vctx *v, const char *base, const json_t *value, json_int_t len)
{
	json_int_t start = 0, end = 0;
	char f[PATH];
	int hs = need_integer(v, value, base, "start", &start);
	int he = need_integer(v, value, base, "end", &end);
	if (hs && start < 0) {
		join(f, sizeof f, base, ".", "start");
		vfail(v, f, "%s is %" JSON_INTEGER_FORMAT "; it must be 0 or more.", f, start);
		return;
	}
	if (hs && he && end <= start) {
		join(f, sizeof f, base, ".", "end");
		vfail(v, f, "%s (%" JSON_INTEGER_FORMAT ") must be greater than start (%" JSON_INTEGER_FORMAT ").",
		      f, end, start);
		return;
	}
	if (he && len >= 0 && end > len) {
		join(f, sizeof f, base, ".", "end");
		vfail(v, f, "%s is %" JSON_INTEGER_FORMAT ", past the end of the text (%" JSON_INTEGER_FORMAT " characters).",
		      f, end, len);
	}
}

static void check_nonneg_integer(struct vctx *v, const json_t *value, const char *base,
				 const char *key)
{
	json_int_t x;
	if (need_integer(v, value, base, key, &x) && x < 0) {
		char f[PATH];
		join(f, sizeof f, base, ".", key);
		vfail(v, f, "%s is %" JSON_INTEGER_FORMAT "; it must be 0 or more.", f, x);
	}
}

/* A text span: integer offsets on Text; on HyperText either offsets or
 * XPath start/end with startOffset/endOffset; seconds on Audio and Video. */
static void check_span(struct vctx *v, const char *base, const json_t *value,
		       const struct object *obj)
{
	int type = obj ? obj->tag->type : O_TEXT;
	if (type == O_AUDIO || type == O_VIDEO) {
		double start = 0, end = 0;
		int hs = need_number(v, value, base, "start", &start);
		int he = need_number(v, value, base, "end", &end);
		char f[PATH];
		if (hs && start < 0) {
			join(f, sizeof f, base, ".", "start");
			vfail(v, f, "%s is %g; it must be 0 or more seconds.", f, start);
		} else if (hs && he && end <= start) {
			join(f, sizeof f, base, ".", "end");
			vfail(v, f, "%s (%g) must be greater than start (%g).", f, end, start);
		}
		return;
	}
	if (type == O_HYPERTEXT && json_is_string(json_object_get(value, "start"))) {
		const char *s;
		need_string(v, value, base, "end", &s);
		check_nonneg_integer(v, value, base, "startOffset");
		check_nonneg_integer(v, value, base, "endOffset");
		check_optional_text(v, base, value);
		return;
	}
	json_int_t len = -1;
	const json_t *text = data_of(v, obj);
	if (type == O_TEXT && json_is_string(text) && !obj->is_url)
		len = (json_int_t)utf16_length(json_string_value(text), json_string_length(text));
	check_offsets(v, base, value, len);
	check_optional_text(v, base, value);
}

/* Paragraph spans name paragraphs by index, as a number or a numeric string. */
static void check_paragraph_span(struct vctx *v, const char *base, const json_t *value,
				 const struct object *obj)
{
	const json_t *list = data_of(v, obj);
	long long count = json_is_array(list) ? (long long)json_array_size(list) : -1;
	long long idx[2] = {0, 0};
	int ok[2] = {0, 0};
	static const char *const keys[2] = {"start", "end"};
	char f[PATH];
	for (int i = 0; i < 2; i++) {
		const json_t *j = json_object_get(value, keys[i]);
		join(f, sizeof f, base, ".", keys[i]);
		if (json_is_integer(j)) {
			idx[i] = json_integer_value(j);
			ok[i] = 1;
		} else if (json_is_string(j) && *json_string_value(j)) {
			char *end;
			idx[i] = strtoll(json_string_value(j), &end, 10);
			ok[i] = !*end;
		}
		if (!ok[i]) {
			vfail(v, f, "%s must be a paragraph index.", f);
		} else if (idx[i] < 0 || (count >= 0 && idx[i] >= count)) {
			vfail(v, f, "%s is paragraph %lld, which does not exist.", f, idx[i]);
			ok[i] = 0;
		}
	}
	if (ok[0] && ok[1] && idx[1] < idx[0]) {
		join(f, sizeof f, base, ".", "end");
		vfail(v, f, "%s (paragraph %lld) comes before start (paragraph %lld).", f, idx[1], idx[0]);
	}
	check_nonneg_integer(v, value, base, "startOffset");
	check_nonneg_integer(v, value, base, "endOffset");
	check_optional_text(v, base, value);
}

static void check_polygon(struct vctx *v, const char *base, const json_t *value)
{
	char f[PATH];
	join(f, sizeof f, base, ".", "points");
	const json_t *pts = json_object_get(value, "points");
	if (!json_is_array(pts)) {
		vfail(v, f, pts ? "%s must be an array of [x, y] pairs." : "%s is missing; it must be an array of [x, y] pairs.", f);
		return;
	}
	if (json_array_size(pts) < 3) {
		vfail(v, f, "%s has %zu points; a polygon needs at least 3.", f, json_array_size(pts));
		return;
	}
	size_t i;
	const json_t *pt;
	json_array_foreach(pts, i, pt) {
		char fi[PATH];
		join_index(fi, sizeof fi, f, i);
		if (!json_is_array(pt) || json_array_size(pt) != 2 ||
		    !json_is_number(json_array_get(pt, 0)) || !json_is_number(json_array_get(pt, 1))) {
			vfail(v, fi, "%s must be a pair of numbers [x, y].", fi);
			continue;
		}
		double x = json_number_value(json_array_get(pt, 0));
		double y = json_number_value(json_array_get(pt, 1));
		if (x < -PERCENT_EPS || x > 100 + PERCENT_EPS || y < -PERCENT_EPS || y > 100 + PERCENT_EPS)
			vfail(v, fi, "%s is [%g, %g]; both must be between 0 and 100 (percent of the image).",
			      fi, x, y);
	}
}

static int dynamic_has(const json_t *list, const char *s)
{
	size_t i;
	const json_t *e;
	json_array_foreach(list, i, e) {
		if (json_is_string(e) && !strcmp(json_string_value(e), s))
			return 1;
		const char *val = json_is_object(e) ? fc_json_str(e, "value", NULL) : NULL;
		if (val && !strcmp(val, s))
			return 1;
		const json_t *kids = json_is_object(e) ? json_object_get(e, "children") : NULL;
		if (json_is_array(kids) && dynamic_has(kids, s))
			return 1;
	}
	return 0;
}

static void check_choices(struct vctx *v, const char *base, const struct control *k,
			  const json_t *value)
{
	char f[PATH];
	join(f, sizeof f, base, ".", "choices");
	const json_t *arr = json_object_get(value, "choices");
	if (!json_is_array(arr)) {
		vfail(v, f, arr ? "%s must be an array of choices." : "%s is missing; it must be an array of choices.", f);
		return;
	}
	if (json_array_size(arr) == 0) {
		vfail(v, f, "%s is empty; pick at least one choice.", f);
		return;
	}
	if (!k->multiple && json_array_size(arr) > 1)
		vfail(v, f, "<Choices name=\"%s\"> takes exactly one choice; %s has %zu.", k->name, f,
		      json_array_size(arr));
	const json_t *dyn = NULL;
	if (k->dynamic_field && v->data)
		dyn = json_object_get(v->data, k->dynamic_field);
	size_t i;
	const json_t *s;
	json_array_foreach(arr, i, s) {
		char fi[PATH];
		join_index(fi, sizeof fi, f, i);
		if (!json_is_string(s)) {
			vfail(v, fi, "%s must be a string.", fi);
			continue;
		}
		const char *str = json_string_value(s);
		ssize_t o = option_index(k, str);
		if (o >= 0) {
			count_label(v, k, (size_t)o);
			continue;
		}
		/* Options listed in the task are only known when its data is. */
		if (k->dynamic_field && (!json_is_array(dyn) || dynamic_has(dyn, str)))
			continue;
		vfail(v, fi, "%s: \"%s\" is not a choice of <Choices name=\"%s\">.", fi, str, k->name);
	}
}

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

static void check_textarea(struct vctx *v, const char *base, const struct control *k,
			   const json_t *value)
{
	char f[PATH];
	join(f, sizeof f, base, ".", "text");
	const json_t *arr = json_object_get(value, "text");
	if (!json_is_array(arr)) {
		vfail(v, f, arr ? "%s must be an array of strings." : "%s is missing; it must be an array of strings.", f);
		return;
	}
	if (json_array_size(arr) == 0) {
		vfail(v, f, "%s is empty; write some text.", f);
		return;
	}
	if (k->max_submissions && json_array_size(arr) > (size_t)k->max_submissions)
		vfail(v, f, "%s has %zu texts; <TextArea name=\"%s\"> accepts at most %ld.", f,
		      json_array_size(arr), k->name, k->max_submissions);
	size_t i;
	const json_t *s;
	json_array_foreach(arr, i, s) {
		char fi[PATH];
		join_index(fi, sizeof fi, f, i);
		if (!json_is_string(s))
			vfail(v, fi, "%s must be a string.", fi);
		else if (is_blank(json_string_value(s)))
			vfail(v, fi, "%s is empty; write some text.", fi);
	}
}

static int list_has_id(const json_t *list, const char *id)
{
	size_t i;
	const json_t *e;
	json_array_foreach(list, i, e) {
		const json_t *j = json_object_get(e, "id");
		if (json_is_string(j) && !strcmp(json_string_value(j), id))
			return 1;
		if (json_is_integer(j)) {
			char buf[32];
			snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
			if (!strcmp(buf, id))
				return 1;
		}
	}
	return 0;
}

/* {"ranker": {"<ranker, list or bucket name>": ["item id", …]}}; "_" is
 * Label Studio's name for the items left in the original list. */
static void check_ranker(struct vctx *v, const char *base, const struct control *k,
			 const json_t *value)
{
	const fc_labelconfig *c = v->c;
	char f[PATH];
	join(f, sizeof f, base, ".", "ranker");
	const json_t *r = json_object_get(value, "ranker");
	if (!json_is_object(r)) {
		vfail(v, f, r ? "%s must be an object of lists of item ids." : "%s is missing; it must be an object of lists of item ids.", f);
		return;
	}
	const json_t *list = k->nto ? data_of(v, &c->objects[k->to[0]]) : NULL;
	const char *key;
	const json_t *ids;
	json_object_foreach((json_t *)r, key, ids) {
		char fk[PATH];
		join(fk, sizeof fk, f, ".", key);
		int known = !strcmp(key, "_") || !strcmp(key, k->name) || option_index(k, key) >= 0;
		for (size_t t = 0; t < k->nto && !known; t++)
			known = !strcmp(key, c->objects[k->to[t]].name);
		if (!known) {
			vfail(v, fk, "%s: \"%s\" is not a bucket of <Ranker name=\"%s\">.", fk, key, k->name);
			continue;
		}
		if (!json_is_array(ids)) {
			vfail(v, fk, "%s must be an array of item ids.", fk);
			continue;
		}
		size_t i;
		const json_t *id;
		json_array_foreach(ids, i, id) {
			char fi[PATH];
			join_index(fi, sizeof fi, fk, i);
			if (!json_is_string(id))
				vfail(v, fi, "%s must be a string item id.", fi);
			else if (json_is_array(list) && !list_has_id(list, json_string_value(id)))
				vfail(v, fi, "%s: \"%s\" is not the id of an item in the task's list.", fi,
				      json_string_value(id));
		}
	}
}

static void check_video_sequence(struct vctx *v, const char *base, const json_t *value)
{
	char f[PATH];
	join(f, sizeof f, base, ".", "sequence");
	const json_t *seq = json_object_get(value, "sequence");
	if (!json_is_array(seq)) {
		vfail(v, f, seq ? "%s must be an array of keyframes." : "%s is missing; it must be an array of keyframes.", f);
		return;
	}
	if (json_array_size(seq) == 0) {
		vfail(v, f, "%s is empty; a track needs at least one keyframe.", f);
		return;
	}
	size_t i;
	const json_t *kf;
	json_array_foreach(seq, i, kf) {
		char fi[PATH], ff[PATH];
		join_index(fi, sizeof fi, f, i);
		if (!json_is_object(kf)) {
			vfail(v, fi, "%s must be an object {frame, x, y, width, height}.", fi);
			continue;
		}
		json_int_t frame;
		if (need_integer(v, kf, fi, "frame", &frame) && frame < 0) {
			join(ff, sizeof ff, fi, ".", "frame");
			vfail(v, ff, "%s is %" JSON_INTEGER_FORMAT "; it must be 0 or more.", ff, frame);
		}
		check_box(v, kf, fi);
		const json_t *en = json_object_get(kf, "enabled");
		if (en && !json_is_boolean(en)) {
			join(ff, sizeof ff, fi, ".", "enabled");
			vfail(v, ff, "%s must be true or false.", ff);
		}
		const json_t *tm = json_object_get(kf, "time");
		if (tm && (!json_is_number(tm) || json_number_value(tm) < 0)) {
			join(ff, sizeof ff, fi, ".", "time");
			vfail(v, ff, "%s must be a number of seconds, 0 or more.", ff);
		}
	}
}

static void check_value(struct vctx *v, const char *base, const struct control *k,
			const struct object *obj, const json_t *value)
{
	char f[PATH];
	switch (k->tag->type) {
	case C_CHOICES:
		check_choices(v, base, k, value);
		break;
	case C_LABELS:
		check_span(v, base, value, obj);
		check_label_list(v, base, k, value, k->tag->key);
		break;
	case C_HYPERTEXTLABELS:
		check_span(v, base, value, obj);
		check_label_list(v, base, k, value, k->tag->key);
		break;
	case C_PARAGRAPHLABELS:
		check_paragraph_span(v, base, value, obj);
		check_label_list(v, base, k, value, k->tag->key);
		break;
	case C_RECTANGLE:
		check_box(v, value, base);
		check_label_list(v, base, k, value, k->tag->key);
		break;
	case C_POLYGON:
		check_polygon(v, base, value);
		check_label_list(v, base, k, value, k->tag->key);
		break;
	case C_KEYPOINT: {
		double x, y;
		if (need_number(v, value, base, "x", &x))
			check_percent(v, base, "x", x, "image width");
		if (need_number(v, value, base, "y", &y))
			check_percent(v, base, "y", y, "image height");
		const json_t *w = json_object_get(value, "width");
		if (w && (!json_is_number(w) || json_number_value(w) < 0)) {
			join(f, sizeof f, base, ".", "width");
			vfail(v, f, "%s must be a number, 0 or more (the point size).", f);
		}
		check_label_list(v, base, k, value, k->tag->key);
		break;
	}
	case C_TEXTAREA:
		check_textarea(v, base, k, value);
		break;
	case C_RATING: {
		json_int_t r;
		if (need_integer(v, value, base, "rating", &r) && (r < 1 || r > k->max_rating)) {
			join(f, sizeof f, base, ".", "rating");
			vfail(v, f, "%s is %" JSON_INTEGER_FORMAT "; it must be from 1 to %ld.", f, r,
			      k->max_rating);
		}
		break;
	}
	case C_NUMBER: {
		double x;
		if (!need_number(v, value, base, "number", &x))
			break;
		join(f, sizeof f, base, ".", "number");
		if (k->has_min && x < k->min)
			vfail(v, f, "%s is %g; it must be at least %g.", f, x, k->min);
		else if (k->has_max && x > k->max)
			vfail(v, f, "%s is %g; it must be at most %g.", f, x, k->max);
		break;
	}
	case C_PAIRWISE: {
		const char *s;
		if (need_string(v, value, base, "selected", &s) && strcmp(s, "left") && strcmp(s, "right")) {
			join(f, sizeof f, base, ".", "selected");
			vfail(v, f, "%s is \"%s\"; it must be \"left\" or \"right\".", f, s);
		}
		break;
	}
	case C_RANKER:
		check_ranker(v, base, k, value);
		break;
	case C_VIDEORECTANGLE:
		check_video_sequence(v, base, value);
		check_video_labels(v, base, value, obj);
		break;
	default:
		break;
	}
}

static int relation_label_defined(const fc_labelconfig *c, const char *s, int *any)
{
	*any = 0;
	for (size_t i = 0; i < c->ncontrols; i++) {
		if (c->controls[i].tag->type != C_RELATIONS)
			continue;
		*any = 1;
		if (option_index(&c->controls[i], s) >= 0)
			return 1;
	}
	return 0;
}

/* Label Studio stores relations as {"type":"relation","from_id","to_id",
 * "direction","labels"} with no from_name: they join two regions. */
static void check_relation(struct vctx *v, const char *base, const json_t *item)
{
	static const char *const ends[2] = {"from_id", "to_id"};
	char f[PATH];
	for (int i = 0; i < 2; i++) {
		const char *id;
		if (!need_string(v, item, base, ends[i], &id))
			continue;
		if (!is_region_id(v, id)) {
			join(f, sizeof f, base, ".", ends[i]);
			vfail(v, f, "%s \"%s\" is not the id of a region in this result.", f, id);
		}
	}
	const json_t *dir = json_object_get(item, "direction");
	if (dir) {
		const char *d = json_string_value(dir);
		if (!d || (strcmp(d, "right") && strcmp(d, "left") && strcmp(d, "bi"))) {
			join(f, sizeof f, base, ".", "direction");
			vfail(v, f, "%s must be \"right\", \"left\" or \"bi\".", f);
		}
	}
	const json_t *labels = json_object_get(item, "labels");
	if (!labels)
		return;
	join(f, sizeof f, base, ".", "labels");
	if (!json_is_array(labels)) {
		vfail(v, f, "%s must be an array of relation names.", f);
		return;
	}
	size_t i;
	const json_t *s;
	json_array_foreach(labels, i, s) {
		char fi[PATH];
		int any;
		join_index(fi, sizeof fi, f, i);
		if (!json_is_string(s))
			vfail(v, fi, "%s must be a string.", fi);
		else if (!relation_label_defined(v->c, json_string_value(s), &any))
			vfail(v, fi, any ? "%s: \"%s\" is not a <Relation> of the labeling config."
					 : "%s: \"%s\" cannot be used: the labeling config defines no <Relations>.",
			      fi, json_string_value(s));
	}
}

/* Which of k's objects to_name names: one of its toName list, or the whole
 * list as written (Label Studio writes either for multi-object controls). */
static int match_target(const fc_labelconfig *c, const struct control *k, const char *to_name,
			const struct object **obj)
{
	*obj = NULL;
	for (size_t t = 0; t < k->nto; t++)
		if (!strcmp(c->objects[k->to[t]].name, to_name)) {
			*obj = &c->objects[k->to[t]];
			return 1;
		}
	if (k->to_raw && !strcmp(k->to_raw, to_name)) {
		*obj = k->nto ? &c->objects[k->to[0]] : NULL;
		return 1;
	}
	return 0;
}

static void check_item(struct vctx *v, size_t i, const json_t *item)
{
	const fc_labelconfig *c = v->c;
	char base[32], f[PATH];
	snprintf(base, sizeof base, "result[%zu]", i);
	if (!json_is_object(item)) {
		vfail(v, base, "%s must be an object.", base);
		return;
	}
	const json_t *type = json_object_get(item, "type");
	if (json_is_string(type) && !strcmp(json_string_value(type), "relation")) {
		v->nrelations++;
		check_relation(v, base, item);
		return;
	}
	const char *from, *to, *ty;
	if (!need_string(v, item, base, "from_name", &from))
		return;
	const struct control *k = control_named(c, from);
	join(f, sizeof f, base, ".", "from_name");
	if (!k) {
		vfail(v, f, "%s \"%s\" names no control in the labeling config.", f, from);
		return;
	}
	if (k->tag->type == C_RELATIONS) {
		vfail(v, f, "%s names <Relations>; relations are items with \"type\": \"relation\", \"from_id\" and \"to_id\".", f);
		return;
	}
	v->used[k - c->controls]++;
	const struct object *obj = NULL;
	if (need_string(v, item, base, "to_name", &to) && !match_target(c, k, to, &obj)) {
		join(f, sizeof f, base, ".", "to_name");
		vfail(v, f, "%s is \"%s\", but <%s name=\"%s\"> labels \"%s\".", f, to, k->tag->name,
		      k->name, k->to_raw);
	}
	if (!need_string(v, item, base, "type", &ty))
		return;
	if (strcmp(ty, k->tag->lower)) {
		join(f, sizeof f, base, ".", "type");
		vfail(v, f, "%s is \"%s\", but results of <%s name=\"%s\"> have type \"%s\".", f, ty,
		      k->tag->name, k->name, k->tag->lower);
		return; /* the value's shape depends on the type */
	}
	const json_t *id = json_object_get(item, "id");
	join(f, sizeof f, base, ".", "id");
	if (id && !json_is_string(id))
		vfail(v, f, "%s must be a string.", f);
	else if (k->per_region && !id)
		vfail(v, f, "%s is missing; <%s name=\"%s\"> answers per region, so its id must be the region's id.",
		      f, k->tag->name, k->name);
	else if (k->per_region && !is_region_id(v, json_string_value(id)))
		vfail(v, f, "%s \"%s\" is not the id of a region in this result.", f,
		      json_string_value(id));
	const json_t *value = json_object_get(item, "value");
	join(f, sizeof f, base, ".", "value");
	if (!json_is_object(value)) {
		vfail(v, f, value ? "%s must be an object." : "%s is missing; it must be an object.", f);
		return;
	}
	/* After a to_name failure, still judge the value against the object
	 * the control labels, so the other failures come out too. */
	if (!obj && k->nto)
		obj = &c->objects[k->to[0]];
	check_value(v, f, k, obj, value);
}

static int region_targets(const fc_labelconfig *c, const struct control *k, const char *to_name)
{
	const struct object *obj;
	return to_name && match_target(c, k, to_name, &obj);
}

static void check_per_region_required(struct vctx *v, const struct control *k,
				      const json_t *result)
{
	size_t i, j;
	const json_t *region, *item;
	json_array_foreach(result, i, region) {
		const char *type = fc_json_str(region, "type", NULL);
		const char *id = fc_json_str(region, "id", NULL);
		if (!json_is_object(region) || !type || !id || !is_region_type(type) ||
		    !region_targets(v->c, k, fc_json_str(region, "to_name", NULL)))
			continue;
		int found = 0;
		json_array_foreach(result, j, item) {
			const char *from = json_is_object(item) ? fc_json_str(item, "from_name", NULL) : NULL;
			const char *iid = json_is_object(item) ? fc_json_str(item, "id", NULL) : NULL;
			if (from && iid && !strcmp(from, k->name) && !strcmp(iid, id)) {
				found = 1;
				break;
			}
		}
		if (!found) {
			char f[PATH];
			snprintf(f, sizeof f, "result[%zu]", i);
			vfail(v, f, "Region \"%s\" (%s) has no answer for the required <%s name=\"%s\">.",
			      id, f, k->tag->name, k->name);
		}
	}
}

int fc_labelconfig_validate_result(const fc_labelconfig *c, const json_t *result,
				   const json_t *task_data, fc_err *err)
{
	struct vctx v = {.c = c, .data = json_is_object(task_data) ? task_data : NULL, .err = err};
	int rc = 0;
	if (!json_is_array(result)) {
		vfail(&v, "result", "result must be an array of Label Studio result items.");
		return FC_EINVAL;
	}
	size_t n = json_array_size(result);
	v.usage = calloc(c->total_opts + 1, sizeof *v.usage);
	v.used = calloc(c->ncontrols + 1, sizeof *v.used);
	v.region_ids = calloc(n + 1, sizeof *v.region_ids);
	if (!v.usage || !v.used || !v.region_ids) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory while checking the result.");
		goto out;
	}
	size_t i;
	const json_t *item;
	json_array_foreach(result, i, item) {
		const char *type = json_is_object(item) ? fc_json_str(item, "type", NULL) : NULL;
		const char *id = json_is_object(item) ? fc_json_str(item, "id", NULL) : NULL;
		if (type && id && is_region_type(type))
			v.region_ids[v.nregions++] = id;
	}
	qsort(v.region_ids, v.nregions, sizeof *v.region_ids, cmp_str);
	json_array_foreach(result, i, item)
		check_item(&v, i, item);

	for (size_t ci = 0; ci < c->ncontrols; ci++) {
		const struct control *k = &c->controls[ci];
		if (k->required && k->per_region)
			check_per_region_required(&v, k, result);
		else if (k->required && !(k->tag->type == C_RELATIONS ? v.nrelations : v.used[ci]))
			vfail(&v, "result", "The required <%s%s%s%s> has no answer.", k->tag->name,
			      k->name ? " name=\"" : "", k->name ? k->name : "", k->name ? "\"" : "");
		for (size_t o = 0; o < k->nopts; o++) {
			long limit = k->opts[o].max_usages ? k->opts[o].max_usages : k->max_usages;
			size_t count = v.usage[k->opt_base + o];
			if (limit && count > (size_t)limit)
				vfail(&v, "result", "\"%s\" of <%s name=\"%s\"> is used %zu times; at most %ld allowed.",
				      k->opts[o].alias ? k->opts[o].alias : k->opts[o].value,
				      k->tag->name, k->name ? k->name : "", count, limit);
		}
	}
	if (v.nfail)
		rc = FC_EINVAL;
out:
	free(v.usage);
	free(v.used);
	free(v.region_ids);
	return rc;
}
