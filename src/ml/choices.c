/* The Choices tag of a labelling config: see choices.h. */
#include "ml/choices.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

static int is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* Copies attribute attr of n into out; 0 when it has it. */
static int attr(const xmlNode *n, const char *attr, char *out, size_t len)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	if (!v)
		return -1;
	snprintf(out, len, "%s", (const char *)v);
	xmlFree(v);
	return 0;
}

/* Depth-first: the first element named tag (name NULL) or whose name
 * attribute is name (tag NULL). */
static const xmlNode *find(const xmlNode *n, const char *tag, const char *name)
{
	for (; n; n = n->next) {
		char v[FC_ML_NAME_LEN];
		if (n->type == XML_ELEMENT_NODE &&
		    ((tag && is(n, tag)) || (name && !attr(n, "name", v, sizeof v) && !strcmp(v, name))))
			return n;
		const xmlNode *in = find(n->children, tag, name);
		if (in)
			return in;
	}
	return NULL;
}

static int options(const xmlNode *choices, fc_ml_choices *c)
{
	c->k = 0;
	for (const xmlNode *o = choices->children; o; o = o->next) {
		if (!is(o, "Choice"))
			continue;
		if (c->k == FC_ML_MAX_CLASSES)
			return -1;
		if (attr(o, "value", c->labels[c->k], FC_ML_NAME_LEN))
			continue;
		c->k++;
	}
	return c->k >= 2 ? 0 : -1;
}

static int object(const xmlNode *root, fc_ml_choices *c, char *error, size_t error_len)
{
	const xmlNode *obj = find(root, NULL, c->to_name);
	char value[FC_ML_NAME_LEN];
	if (!obj || (!is(obj, "Text") && !is(obj, "Image"))) {
		snprintf(error, error_len, "The Choices tag '%s' labels no Text or Image.", c->from_name);
		return -1;
	}
	snprintf(c->object, sizeof c->object, "%s", (const char *)obj->name);
	if (attr(obj, "value", value, sizeof value) || value[0] != '$' || !value[1]) {
		snprintf(error, error_len, "The %s tag '%s' shows no task field ($field).", c->object, c->to_name);
		return -1;
	}
	snprintf(c->field, sizeof c->field, "%s", value + 1);
	return 0;
}

int fc_ml_choices_parse(const char *config, fc_ml_choices *c, char *error, size_t error_len)
{
	memset(c, 0, sizeof *c);
	xmlDoc *doc = config ? xmlReadMemory(config, (int)strlen(config), NULL, NULL,
					     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
			     : NULL;
	if (!doc) {
		snprintf(error, error_len, "The labelling config cannot be read.");
		return -1;
	}
	const xmlNode *root = xmlDocGetRootElement(doc), *ch = find(root, "Choices", NULL);
	int rc = -1;
	if (!ch || attr(ch, "name", c->from_name, sizeof c->from_name) ||
	    attr(ch, "toName", c->to_name, sizeof c->to_name))
		snprintf(error, error_len, "A built-in model needs a Choices tag with a name and a toName.");
	else if (options(ch, c))
		snprintf(error, error_len, "A built-in model needs 2 to %d Choice options.", FC_ML_MAX_CLASSES);
	else
		rc = object(root, c, error, error_len);
	xmlFreeDoc(doc);
	return rc;
}

int fc_ml_choices_index(const fc_ml_choices *c, const char *label)
{
	for (int i = 0; label && i < c->k; i++)
		if (!strcmp(c->labels[i], label))
			return i;
	return -1;
}

int fc_ml_choices_of_result(const fc_ml_choices *c, const json_t *result)
{
	size_t i;
	const json_t *r;
	json_array_foreach((json_t *)result, i, r) {
		const char *from = json_string_value(json_object_get(r, "from_name"));
		const json_t *picked = json_object_get(json_object_get(r, "value"), "choices");
		if (from && !strcmp(from, c->from_name) && json_array_size(picked))
			return fc_ml_choices_index(c, json_string_value(json_array_get(picked, 0)));
	}
	return -1;
}

json_t *fc_ml_choices_result(const fc_ml_choices *c, int i)
{
	return json_pack("[{s:s,s:s,s:s,s:{s:[s]}}]", "from_name", c->from_name, "to_name", c->to_name, "type",
			 "choices", "value", "choices", c->labels[i]);
}

/* The first TextArea (depth first) whose toName is an Audio tag showing a
 * field; 0 when found. */
static int textarea(const xmlNode *root, const xmlNode *n, fc_ml_choices *c)
{
	for (; n; n = n->next) {
		char value[FC_ML_NAME_LEN];
		const xmlNode *obj;
		if (is(n, "TextArea") && !attr(n, "name", c->from_name, sizeof c->from_name) &&
		    !attr(n, "toName", c->to_name, sizeof c->to_name) && (obj = find(root, NULL, c->to_name)) &&
		    (is(obj, "Audio") || is(obj, "AudioPlus")) && !attr(obj, "value", value, sizeof value) &&
		    value[0] == '$' && value[1]) {
			snprintf(c->object, sizeof c->object, "Audio");
			snprintf(c->field, sizeof c->field, "%s", value + 1);
			return 0;
		}
		if (!textarea(root, n->children, c))
			return 0;
	}
	return -1;
}

int fc_ml_textarea_parse(const char *config, fc_ml_choices *c, char *error, size_t error_len)
{
	memset(c, 0, sizeof *c);
	xmlDoc *doc = config ? xmlReadMemory(config, (int)strlen(config), NULL, NULL,
					     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
			     : NULL;
	const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	int rc = root ? textarea(root, root, c) : -1;
	if (rc)
		snprintf(error, error_len,
			 "The speech-transcriber needs a TextArea over an Audio tag that shows a "
			 "task field ($field); this config has none.");
	xmlFreeDoc(doc);
	return rc;
}
