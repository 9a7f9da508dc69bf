/* libFuzzer: Markdown → HTML (markup/markdown.c). Beyond not crashing, the
 * output must be valid UTF-8 (it goes into JSON as it is) and hold no tag
 * that can run script, whatever bytes came in. */
#include "markup/markdown.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *html = fc_markdown_html((const char *)data, size);
	if (!html)
		abort();
	json_t *s = json_string(html);
	if (!s)
		abort(); /* not valid UTF-8 */
	json_decref(s);
	/* in text cmark escapes '<' and '"', so these can only be tags or URL attributes */
	static const char *const bad[] = {"<script",
					  "<iframe",
					  "<svg",
					  "<object",
					  "<embed",
					  "<style",
					  "<math",
					  "href=\"javascript:",
					  "src=\"javascript:",
					  "href=\"vbscript:",
					  "src=\"vbscript:"};
	for (const char *p = html; *p; p++)
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			if (!strncasecmp(p, bad[i], strlen(bad[i])))
				abort();
	free(html);
	return 0;
}
