/* Markdown → HTML through cmark, the CommonMark reference implementation. */
#include "markup/markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

/* cmark's default allocator aborts the process when memory runs out (cmark
 * has no error path for it); NULL checks below cover our side and a future
 * cmark that reports the failure. */
char *fc_markdown_html(const char *md, size_t len)
{
	cmark_node *doc = cmark_parse_document(md ? md : "", md ? len : 0, CMARK_OPT_VALIDATE_UTF8);
	if (!doc)
		return NULL;
	cmark_iter *it = cmark_iter_new(doc);
	if (!it) {
		cmark_node_free(doc);
		return NULL;
	}
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING) {
			int level = cmark_node_get_heading_level(n);
			cmark_node_set_heading_level(n, level < 6 ? level + 1 : 6);
		}
	}
	cmark_iter_free(it);
	/* CMARK_OPT_DEFAULT is safe mode; never add CMARK_OPT_UNSAFE (see markdown.h) */
	char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
	cmark_node_free(doc);
	return html;
}

json_t *fc_markdown_json(const char *md)
{
	char *html = fc_markdown_html(md, md ? strlen(md) : 0);
	if (!html)
		return NULL;
	json_t *s = json_string(html);
	free(html);
	return s;
}
