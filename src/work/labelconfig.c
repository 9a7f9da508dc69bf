/* labelconfig.c — reads a labeling config into the model of
 * labelconfig_internal.h, driven by the tag table (labelconfig_tags.c), and
 * describes it back. Checking results is in labelconfig_result.c. */
#include "work/labelconfig_internal.h"

#include <errno.h>
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

/* ---------------------------------------------------------------- parsing */

struct parse {
	fc_labelconfig *c;
	fc_err *err;
	ptrdiff_t parent_opt;     /* F_TREE controls: the option whose children are read, or -1 */
	const char *repeat_flag;  /* inside a Repeater: its indexFlag */
	const char *repeat_field; /* inside a Repeater: the list field of on="$list" */
};

#define CONFIG_SLUG "invalid_label_config"
#define CONFIG_FIELD "label_config"

__attribute__((format(printf, 2, 3))) static int cfg_fail(struct parse *p, const char *fmt, ...)
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

static const char *nname(const xmlNode *n) { return (const char *)n->name; }

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

static int parse_long(struct parse *p, const xmlNode *n, const char *name, long lo, long hi, long *out)
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

static int parse_double(struct parse *p, const xmlNode *n, const char *name, struct fc_lc_bound *out)
{
	const char *v = attr(n, name);
	if (!v)
		return 0;
	char *end;
	double x = strtod(v, &end);
	while (*end == ' ')
		end++;
	if (end == v || *end || !isfinite(x))
		return cfg_fail(p, "<%s> on line %ld: attribute %s must be a number, not \"%s\".", nname(n),
				xmlGetLineNo(n), name, v);
	out->set = 1;
	out->value = x;
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
		return cfg_fail(p, "<%s> on line %ld is missing the name attribute.", nname(n), xmlGetLineNo(n));
	}
	if (name_taken(p->c, name))
		return cfg_fail(p, "<%s> on line %ld: name \"%s\" is already used by another tag; names must be unique.",
				nname(n), xmlGetLineNo(n), name);
	*out = name;
	return 0;
}

/* "a", "b" or "c": the words of an A_WORD attribute, for its message. */
static void list_words(const char *const *words, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; words[i] && len < n; i++)
		len += snprintf(buf + len, n - len, "%s\"%s\"", i == 0 ? "" : words[i + 1] ? ", " : " or ", words[i]);
}

/* The rule for attribute name in rules; NULL when name is NULL or absent. */
static const struct fc_lc_attr *attr_rule(const struct fc_lc_attr *rules, const char *name)
{
	for (; name && rules && rules->name; rules++)
		if (!strcmp(rules->name, name))
			return rules;
	return NULL;
}

/* Reads the attributes rules describes into k, in the order of rules, so
 * the first broken one is the one reported. */
static int parse_attrs(struct parse *p, const xmlNode *n, struct fc_lc_control *k, const struct fc_lc_attr *rules)
{
	int rc = 0;
	for (const struct fc_lc_attr *r = rules; r && r->name && !rc; r++) {
		void *at = (char *)k + r->offset;
		const char *v = attr(n, r->name);
		switch (r->type) {
		case A_BOOL: rc = parse_bool(p, n, r->name, at); break;
		case A_LONG:
			*(long *)at = r->absent;
			rc = parse_long(p, n, r->name, r->lo, r->hi, at);
			break;
		case A_NUMBER: {
			struct fc_lc_bound *b = at;
			const struct fc_lc_attr *floor = attr_rule(rules, r->not_below);
			const struct fc_lc_bound *fb =
				floor ? (const struct fc_lc_bound *)((const char *)k + floor->offset) : NULL;
			if ((rc = parse_double(p, n, r->name, b)))
				break;
			if (fb && fb->set && b->set && fb->value > b->value)
				rc = cfg_fail(p, "<%s name=\"%s\"> on line %ld: %s (%g) is greater than %s (%g).",
					      nname(n), k->name, k->line, floor->name, fb->value, r->name, b->value);
			break;
		}
		case A_WORD: {
			int *word = at;
			*word = 0;
			if (!v)
				break;
			while (r->words[*word] && strcmp(r->words[*word], v))
				++*word;
			if (!r->words[*word]) {
				char allowed[160];
				list_words(r->words, allowed, sizeof allowed);
				rc = cfg_fail(p, "<%s name=\"%s\"> on line %ld: attribute %s must be %s, not \"%s\".",
					      nname(n), k->name, k->line, r->name, allowed, v);
			}
			break;
		}
		case A_STRING: {
			size_t w = 0;
			if (!v)
				break;
			while (r->words && r->words[w] && strcmp(r->words[w], v))
				w++;
			/* only="date,time" lists several words. */
			if (r->words && !r->words[w] && !strchr(v, ',')) {
				char allowed[160];
				list_words(r->words, allowed, sizeof allowed);
				rc = cfg_fail(p, "<%s name=\"%s\"> on line %ld: attribute %s must be %s, not \"%s\".",
					      nname(n), k->name ? k->name : "", k->line, r->name, allowed, v);
			} else if (dup_str(p, at, v)) {
				rc = FC_ENOMEM;
			}
			break;
		}
		case A_FIELD:
			if (!v || !*v)
				break;
			if (!is_reference(v))
				rc = cfg_fail(p,
					      "<%s name=\"%s\"> on line %ld: attribute %s must name a task data field like \"$%s\", not \"%s\".",
					      nname(n), k->name, k->line, r->name, r->example, v);
			else if (dup_str(p, at, v + 1) || add_field(p, v + 1))
				rc = FC_ENOMEM;
			break;
		}
	}
	return rc;
}

/* Objects hold no tags, except a TimeSeries its <Channel column="…"/>s. */
static int check_object_children(struct parse *p, const xmlNode *n, const struct fc_lc_tag *t)
{
	int channels = 0;
	for (const xmlNode *k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!(t->flags & F_CHANNELS) || strcasecmp(nname(k), "Channel"))
			return cfg_fail(p, "<%s> on line %ld cannot contain <%s>.", nname(n), xmlGetLineNo(n), nname(k));
		const char *col = attr(k, "column");
		if (!col || !*col)
			return cfg_fail(p,
					"<Channel> on line %ld is missing the column attribute (the data column to plot).",
					xmlGetLineNo(k));
		channels++;
	}
	if ((t->flags & F_CHANNELS) && !channels)
		return cfg_fail(p, "<%s> on line %ld needs at least one <Channel column=\"…\"/>.", nname(n),
				xmlGetLineNo(n));
	return 0;
}

static int parse_object(struct parse *p, const xmlNode *n, const struct fc_lc_tag *t)
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
	/* Label Studio shows a value that is not "$field" as it is written
	 * (<Text value="John went to see Mary"/>), so it is the data itself. */
	int literal = !is_reference(value);
	if ((rc = check_object_children(p, n, t)))
		return rc;
	if (grow((void **)&c->objects, &c->capobjects, c->nobjects, sizeof *c->objects))
		return oom(p);
	struct fc_lc_object *o = &c->objects[c->nobjects++];
	o->tag = t;
	const char *vt = attr(n, "valueType");
	o->is_url = vt && !strcasecmp(vt, "url");
	if (t->flags & F_CHANNELS) {
		/* a TimeSeries links to its data file unless valueType="json" */
		o->is_url = !vt || strcasecmp(vt, "json");
		const char *tc = attr(n, "timeColumn");
		if (tc && *tc && dup_str(p, &o->time_column, tc))
			return FC_ENOMEM;
	}
	if (t->type == O_VIDEO) {
		const char *fr = attr(n, "frameRate");
		char *end = NULL;
		double r = fr ? strtod(fr, &end) : 0;
		o->frame_rate = fr && end != fr && !*end && r > 0 && r <= 1000 ? r : 24;
	}
	if (t->type == O_PARAGRAPHS) {
		const char *tk = attr(n, "textKey");
		if (tk && *tk && dup_str(p, &o->text_key, tk))
			return FC_ENOMEM;
	}
	if (dup_str(p, &o->name, name) || dup_str(p, &o->value, value) ||
	    dup_str(p, &o->field, literal ? NULL : value + 1) || dup_str(p, &o->repeat_flag, p->repeat_flag) ||
	    dup_str(p, &o->repeat_field, p->repeat_field))
		return FC_ENOMEM;
	if (literal && !(o->literal = json_string(value)))
		return oom(p);
	/* Inside a Repeater the fields are per item ("$pages[{{idx}}].url");
	 * the task must hold the list the Repeater names, which it added. */
	if (p->repeat_flag)
		return 0;
	if (!literal && (rc = add_field(p, o->field)))
		return rc;
	/* Other data an object shows, such as Paragraphs' audioUrl="$audio". */
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		const char *v =
			a->children && a->children->type == XML_TEXT_NODE ? (const char *)a->children->content : NULL;
		if (is_reference(v) && (rc = add_field(p, v + 1)))
			return rc;
	}
	return 0;
}

static int walk(struct parse *p, const xmlNode *parent, size_t ctl);
#define NO_CONTROL SIZE_MAX

static int parse_control(struct parse *p, const xmlNode *n, const struct fc_lc_tag *t)
{
	fc_labelconfig *c = p->c;
	int joins = (t->flags & F_JOINS) != 0;
	const char *name;
	int rc = check_name(p, n, &name, joins);
	if (rc)
		return rc;
	const char *to = attr(n, "toName");
	if ((!to || !*to) && !joins && !(t->flags & F_TO_OPTIONAL))
		return cfg_fail(p, "<%s name=\"%s\"> on line %ld is missing the toName attribute.", nname(n), name,
				xmlGetLineNo(n));

	if (grow((void **)&c->controls, &c->capcontrols, c->ncontrols, sizeof *c->controls))
		return oom(p);
	size_t idx = c->ncontrols++;
	struct fc_lc_control *k = &c->controls[idx];
	k->tag = t;
	k->line = xmlGetLineNo(n);
	/* Relations join regions, whatever object they are on. */
	if (joins)
		to = NULL;
	if (dup_str(p, &k->name, name) || dup_str(p, &k->to_raw, to && *to ? to : NULL) ||
	    dup_str(p, &k->repeat_flag, p->repeat_flag) || dup_str(p, &k->repeat_field, p->repeat_field))
		return FC_ENOMEM;
	if ((rc = parse_attrs(p, n, k, fc_lc_control_attrs)))
		return rc;
	if (joins)
		k->per_region = 0;
	if ((rc = parse_attrs(p, n, k, t->attrs)))
		return rc;

	/* Children only add options to this control, never new controls, so
	 * the index stays valid across the walk. */
	p->parent_opt = -1;
	if ((rc = walk(p, n, idx)))
		return rc;
	k = &c->controls[idx];
	if ((t->flags & F_NEEDS_CHILD) && k->nopts == 0 && !k->dynamic_field && !k->api_url)
		return cfg_fail(p, "<%s%s%s%s> on line %ld has no <%s> children; add at least one.", nname(n),
				name ? " name=\"" : "", name ? name : "", name ? "\"" : "", k->line, t->child);
	k->opt_base = c->total_opts;
	c->total_opts += k->nopts;
	return 0;
}

/* "A, B or C": the controls that take child tag t, for its message. */
static void list_parents(const struct fc_lc_tag *t, char *buf, size_t n)
{
	const char *names[16];
	size_t count = 0, len = 0;
	for (size_t i = 0; i < fc_lc_ntags && count < sizeof names / sizeof names[0]; i++)
		if (fc_lc_tags[i].child && !strcmp(fc_lc_tags[i].child, t->name))
			names[count++] = fc_lc_tags[i].name;
	buf[0] = 0;
	for (size_t i = 0; i < count && len < n; i++)
		len += snprintf(buf + len, n - len, "%s%s", i == 0 ? "" : i + 1 < count ? ", " : " or ", names[i]);
}

/* Reads the options nested in option opt of a tree control. */
static int nest(struct parse *p, const xmlNode *n, size_t ctl, ptrdiff_t opt)
{
	ptrdiff_t saved = p->parent_opt;
	p->parent_opt = opt;
	int rc = walk(p, n, ctl);
	p->parent_opt = saved;
	return rc;
}

static int parse_child(struct parse *p, const xmlNode *n, const struct fc_lc_tag *t, size_t ctl)
{
	fc_labelconfig *c = p->c;
	struct fc_lc_control *k = ctl == NO_CONTROL ? NULL : &c->controls[ctl];
	if (!k || !k->tag->child || strcasecmp(k->tag->child, t->name)) {
		char where[200];
		list_parents(t, where, sizeof where);
		return cfg_fail(p, "<%s> on line %ld must be inside %s%s%s.", nname(n), xmlGetLineNo(n), where,
				k ? ", not " : "", k ? k->tag->name : "");
	}
	int tree = (k->tag->flags & F_TREE) != 0;
	for (const xmlNode *e = n->children; e && !tree; e = e->next)
		if (e->type == XML_ELEMENT_NODE)
			return cfg_fail(p, "<%s> on line %ld cannot contain <%s>.", nname(n), xmlGetLineNo(n), nname(e));
	const char *key = t->option_attr;
	if (!key)
		return 0; /* results never carry it */
	const char *value = attr(n, key);
	if (!value || !*value)
		return cfg_fail(p, "<%s> on line %ld is missing the %s attribute.", nname(n), xmlGetLineNo(n), key);
	const char *alias = attr(n, "alias");
	if (alias && !*alias)
		alias = NULL;
	const char *match = alias ? alias : value;
	/* Label Studio takes an option written twice as one: results cannot
	 * tell them apart. In a taxonomy the same name may sit under several
	 * parents, so there only a repeat under the same parent is one. */
	for (size_t i = 0; i < k->nopts; i++)
		if (!strcmp(k->opts[i].alias ? k->opts[i].alias : k->opts[i].value, match) &&
		    (!tree || k->opts[i].parent == p->parent_opt))
			return tree ? nest(p, n, ctl, (ptrdiff_t)i) : 0;
	if (grow((void **)&k->opts, &k->capopts, k->nopts, sizeof *k->opts))
		return oom(p);
	size_t at = k->nopts++;
	struct fc_lc_option *o = &k->opts[at];
	o->parent = tree ? p->parent_opt : -1;
	if (o->parent >= 0)
		k->opts[o->parent].has_children = 1;
	int rc = parse_long(p, n, "maxUsages", 0, 1000000, &o->max_usages);
	if (rc)
		return rc;
	if (dup_str(p, &o->value, value) || dup_str(p, &o->alias, alias) ||
	    dup_str(p, &o->background, attr(n, "background")) || dup_str(p, &o->hotkey, attr(n, "hotkey")))
		return FC_ENOMEM;
	return tree ? nest(p, n, ctl, (ptrdiff_t)at) : 0;
}

/* <Repeater on="$pages" indexFlag="{{idx}}">: the tags inside stand for
 * one copy per item of the task's list, their names holding the flag. */
static int parse_repeater(struct parse *p, const xmlNode *n, size_t ctl)
{
	const char *on = attr(n, "on");
	const char *flag = attr(n, "indexFlag");
	long line = xmlGetLineNo(n);
	if (!on || !*on)
		return cfg_fail(p, "<%s> on line %ld is missing the on attribute (e.g. on=\"$pages\").", nname(n), line);
	if (!is_reference(on))
		return cfg_fail(p,
				"<%s> on line %ld: attribute on must name a task data list like \"$pages\", not \"%s\".",
				nname(n), line, on);
	if (!flag || !*flag)
		flag = "{{idx}}";
	if (p->repeat_flag)
		return cfg_fail(p, "<%s> on line %ld cannot be inside another <Repeater>.", nname(n), line);
	int rc = add_field(p, on + 1);
	if (rc)
		return rc;
	p->repeat_flag = flag;
	p->repeat_field = on + 1;
	rc = walk(p, n, ctl);
	p->repeat_flag = p->repeat_field = NULL;
	return rc;
}

static int walk(struct parse *p, const xmlNode *parent, size_t ctl)
{
	int rc;
	for (const xmlNode *n = parent->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const struct fc_lc_tag *t = fc_lc_find_tag(nname(n));
		if (!t && !strcasecmp(nname(n), "Channel"))
			return cfg_fail(p, "<Channel> on line %ld must be inside <TimeSeries>.", xmlGetLineNo(n));
		if (!t)
			return cfg_fail(
				p,
				"Unknown tag <%s> on line %ld; see the list of supported tags in the API documentation.",
				nname(n), xmlGetLineNo(n));
		switch (t->kind) {
		case K_LAYOUT:
			if (t->flags & F_REPEATER) {
				if ((rc = parse_repeater(p, n, ctl)))
					return rc;
				break;
			}
			if (t->flags & F_DATA_VALUE) {
				const char *v = attr(n, "value");
				if (is_reference(v) && (rc = add_field(p, v + 1)))
					return rc;
			}
			if (t->flags & F_OPAQUE)
				break;
			if ((rc = walk(p, n, ctl)))
				return rc;
			break;
		case K_OBJECT:
		case K_CONTROL:
			if (ctl != NO_CONTROL)
				return cfg_fail(p, "<%s> on line %ld cannot be inside <%s name=\"%s\">.", nname(n),
						xmlGetLineNo(n), p->c->controls[ctl].tag->name,
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
	for (size_t i = 0; i < fc_lc_ntags; i++) {
		if (fc_lc_tags[i].kind != K_OBJECT || !(fc_lc_tags[i].type & bits) ||
		    (fc_lc_tags[i].flags & F_DEPRECATED))
			continue;
		len += snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? ", " : "", fc_lc_tags[i].name);
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
static int resolve_targets(struct parse *p, struct fc_lc_control *k)
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
			return cfg_fail(p, "<%s name=\"%s\"> on line %ld: toName \"%.*s\" %s.", k->tag->name, k->name,
					k->line, (int)(b - a), a,
					is_control ? "names a control, but it must name an object such as Image or Text"
						   : "names no object in the config");
		}
		const struct fc_lc_object *obj = &c->objects[o];
		if (obj->repeat_flag && !k->repeat_flag)
			return cfg_fail(
				p,
				"<%s name=\"%s\"> on line %ld: toName \"%s\" is inside a <Repeater>, so the control must be too.",
				k->tag->name, k->name, k->line, obj->name);
		if (!(obj->tag->type & k->tag->targets)) {
			char allowed[160];
			describe_targets(k->tag->targets, allowed, sizeof allowed);
			return cfg_fail(p,
					"<%s name=\"%s\"> on line %ld: toName \"%s\" is a <%s>, but %s works only with %s.",
					k->tag->name, k->name, k->line, obj->name, obj->tag->name, k->tag->name, allowed);
		}
		k->to[k->nto++] = (size_t)o;
		if (!*e)
			break;
		s = e + 1;
	}
	if ((k->tag->flags & F_PAIR) && k->nto != 2)
		return cfg_fail(
			p,
			"<%s name=\"%s\"> on line %ld: toName must name exactly two objects to compare, like \"left,right\".",
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
static void xml_init(void) { xmlInitParser(); }

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
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
	if (!doc || !ctxt->wellFormed) {
		rc = cfg_fail(&p, "The labeling config is not well-formed XML: %s (line %d).", fe.msg, fe.line);
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		rc = cfg_fail(&p, "The labeling config must not contain a <!DOCTYPE> declaration.");
		goto out;
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || strcasecmp(nname(root), "View")) {
		rc = cfg_fail(&p, "The labeling config's root tag must be <View>, not <%s>.", root ? nname(root) : "");
		goto out;
	}
	if ((rc = walk(&p, root, NO_CONTROL)))
		goto out;
	size_t answering = 0;
	for (size_t i = 0; i < p.c->ncontrols; i++) {
		if ((rc = resolve_targets(&p, &p.c->controls[i])))
			goto out;
		answering += !(p.c->controls[i].tag->flags & F_JOINS);
	}
	if (answering == 0) {
		rc = cfg_fail(
			&p,
			"The labeling config has no control tag (such as Choices, Labels or RectangleLabels), so there is nothing to answer.");
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
		free(c->objects[i].repeat_flag);
		free(c->objects[i].repeat_field);
		free(c->objects[i].time_column);
		free(c->objects[i].text_key);
		json_decref(c->objects[i].literal);
	}
	for (size_t i = 0; i < c->ncontrols; i++) {
		struct fc_lc_control *k = &c->controls[i];
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
		free(k->repeat_flag);
		free(k->repeat_field);
		for (const struct fc_lc_attr *r = k->tag->attrs; r && r->name; r++)
			if (r->type == A_FIELD || r->type == A_STRING)
				free(*(char **)((char *)k + r->offset));
		for (const struct fc_lc_attr *r = fc_lc_control_attrs; r->name; r++)
			if (r->type == A_FIELD || r->type == A_STRING)
				free(*(char **)((char *)k + r->offset));
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

/* Adds the attributes rules describes that k has, under their describe keys. */
static int describe_attrs(json_t *j, const struct fc_lc_control *k, const struct fc_lc_attr *rules)
{
	for (const struct fc_lc_attr *r = rules; r && r->name; r++) {
		const void *at = (const char *)k + r->offset;
		json_t *x = NULL;
		if (!r->shown)
			continue;
		switch (r->type) {
		case A_BOOL: x = json_boolean(*(const int *)at); break;
		case A_LONG:
			/* 0 means "no limit", which describe leaves out. */
			if (!*(const long *)at)
				continue;
			x = json_integer(*(const long *)at);
			break;
		case A_NUMBER:
			if (!((const struct fc_lc_bound *)at)->set)
				continue;
			x = json_real(((const struct fc_lc_bound *)at)->value);
			break;
		case A_WORD: x = json_string(r->words[*(const int *)at]); break;
		case A_FIELD:
			if (!*(char *const *)at)
				continue;
			x = json_sprintf("$%s", *(char *const *)at);
			break;
		case A_STRING:
			if (!*(char *const *)at)
				continue;
			x = json_string(*(char *const *)at);
			break;
		}
		if (json_object_set_new(j, r->shown, x))
			return FC_ENOMEM;
	}
	return 0;
}

static json_t *describe_control(const fc_labelconfig *c, const struct fc_lc_control *k)
{
	json_t *to = json_array();
	for (size_t i = 0; to && i < k->nto; i++)
		json_array_append_new(to, json_string(c->objects[k->to[i]].name));
	json_t *j = json_pack("{s:o?,s:s,s:o,s:b,s:b}", "name", k->name ? json_string(k->name) : NULL, "type",
			      k->tag->lower, "to_name", to, "required", k->required, "per_region", k->per_region);
	if (!j)
		return NULL;
	if (k->tag->options_key) {
		json_t *names = json_array(), *opts = json_array();
		json_object_set_new(j, k->tag->options_key, names);
		json_object_set_new(j, "options", opts);
		for (size_t i = 0; names && opts && i < k->nopts; i++) {
			const struct fc_lc_option *o = &k->opts[i];
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
			if (o->parent >= 0)
				json_object_set_new(oj, "parent", json_integer(o->parent));
			json_array_append_new(opts, oj);
		}
	}
	if (k->per_item)
		json_object_set_new(j, "per_item", json_true());
	if (k->repeat_flag)
		json_object_set_new(j, "repeat", json_pack("{s:s,s:s}", "on", k->repeat_field, "flag", k->repeat_flag));
	if (describe_attrs(j, k, fc_lc_control_attrs) || describe_attrs(j, k, k->tag->attrs)) {
		json_decref(j);
		return NULL;
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
		const struct fc_lc_object *o = &c->objects[i];
		json_t *oj = json_pack("{s:s,s:s,s:s,s:o}", "name", o->name, "type", o->tag->lower, "value", o->value,
				       "field", o->field ? json_string(o->field) : json_null());
		if (oj && o->repeat_flag)
			json_object_set_new(oj, "repeat",
					    json_pack("{s:s,s:s}", "on", o->repeat_field, "flag", o->repeat_flag));
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
