/* The Markdown preview: the editor shows instructions (and consent text) as
 * the server will render them, through the same cmark call
 * (markup/markdown.h), so the preview cannot drift from what contributors
 * see. */
#include "api/handlers.h"
#include "markup/markdown.h"

#include <string.h>

/* The longest text anything stores as Markdown (instructions, consent). */
#define MARKDOWN_MAX 100000

void h_markdown(fc_req *r)
{
	static const fc_field F[] = {{"markdown", FC_J_STRING | FC_J_REQUIRED}, {0}};
	json_t *b = fc_api_body(r, F), *out = NULL;
	if (!b)
		return;
	fc_err err = {0};
	int rc = 0;
	const char *md = fc_json_str(b, "markdown", "");
	if (strlen(md) > MARKDOWN_MAX)
		rc = fc_err_set(&err, FC_EINVAL, "invalid_value", "markdown",
				"The Markdown is longer than 100,000 characters.");
	else if (!(out = json_pack("{s:o}", "html", fc_markdown_json(md))))
		rc = fc_err_set(&err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	json_decref(b);
	fc_api_reply(r, rc, &err, 200, out);
}
