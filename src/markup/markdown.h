/* markdown.h — Markdown (CommonMark) to HTML that is safe to put in a page.
 *
 * Instructions and consent documents are written by requesters and shown to
 * contributors, so their HTML must not carry script. cmark (0.29 and later)
 * renders in safe mode unless CMARK_OPT_UNSAFE is passed, which this module
 * never does: raw HTML becomes an "omitted" comment and link or image URLs
 * with the schemes javascript:, vbscript:, file: and data: (except data:image
 * png/gif/jpeg/webp) become empty. tests/unit/test_markdown.c holds the XSS
 * vectors this is checked against.
 *
 * Headings move one level down (# → <h2>, at most <h6>): the page's own
 * title is its h1. Invalid UTF-8 is replaced by U+FFFD, so the result is
 * always a valid JSON string. */
#ifndef FC_MARKUP_MARKDOWN_H
#define FC_MARKUP_MARKDOWN_H

#include <jansson.h>
#include <stddef.h>

/* md[0..len) → HTML. Returns a string the caller frees with free(), or NULL
 * when memory ran out. */
char *fc_markdown_html(const char *md, size_t len);

/* md (NUL-terminated; NULL means "") → a new JSON string of its HTML, or
 * NULL when memory ran out. */
json_t *fc_markdown_json(const char *md);

#endif
