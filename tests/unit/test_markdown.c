/* Unit tests for src/markup/markdown.c: the usual XSS vectors leave no
 * script, event handler or executable URL behind, and ordinary Markdown
 * still renders.
 *
 * Rather than grep the output for known bad strings (which misses what
 * nobody thought of), every tag in it is parsed and checked against the tags
 * and attributes cmark emits for Markdown, and every href/src is decoded the
 * way a browser reads it and must have a harmless scheme. */
#include "markup/markdown.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const TAGS[] = {"p",      "h2", "h3",  "h4",   "h5",  "h6",         "ul", "ol", "li", "em",
				   "strong", "a",  "img", "code", "pre", "blockquote", "hr", "br", NULL};
static const char *const ATTRS[] = {"href", "title", "src", "alt", "start", "class", NULL};

static bool listed(const char *const *list, const char *s, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncmp(*list, s, n))
			return true;
	return false;
}

/* An attribute value as the browser sees it: entities decoded (cmark writes
 * &amp; &quot; &lt; &gt; and numeric ones), then what the URL parser ignores
 * dropped (leading controls and spaces; tabs and newlines anywhere), lower
 * case. Returns false on an entity it does not know. */
static bool url_as_browser_reads_it(const char *v, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap;) {
		unsigned c = (unsigned char)v[i];
		size_t used = 1;
		if (c == '&') {
			const char *semi = memchr(v + i, ';', n - i);
			if (!semi)
				return false;
			used = (size_t)(semi - (v + i)) + 1;
			bool hex = v[i + 1] == '#' && (v[i + 2] == 'x' || v[i + 2] == 'X');
			if (!strncmp(v + i, "&amp;", used))
				c = '&';
			else if (!strncmp(v + i, "&quot;", used))
				c = '"';
			else if (!strncmp(v + i, "&lt;", used))
				c = '<';
			else if (!strncmp(v + i, "&gt;", used))
				c = '>';
			else if (v[i + 1] == '#')
				c = (unsigned)strtoul(v + i + 2 + hex, NULL, hex ? 16 : 10);
			else
				return false;
		}
		i += used;
		if (c == '\t' || c == '\n' || c == '\r' || (o == 0 && c <= ' '))
			continue;
		out[o++] = (char)tolower((int)(c & 0xff));
	}
	out[o] = 0;
	return true;
}

static bool starts(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

/* A URL with no scheme is relative (same site); one with a scheme must be
 * one that cannot run script. */
static bool safe_url(const char *attr, const char *v, size_t n)
{
	char url[512];
	if (!url_as_browser_reads_it(v, n, url, sizeof url))
		return false;
	size_t s = 0;
	if (isalpha((unsigned char)url[0]))
		for (s = 1; url[s] && (isalnum((unsigned char)url[s]) || strchr("+-.", url[s])); s++)
			;
	if (!s || url[s] != ':')
		return true;
	return starts(url, "http:") || starts(url, "https:") || (!strcmp(attr, "href") && starts(url, "mailto:")) ||
	       starts(url, "data:image/png") || starts(url, "data:image/gif") || starts(url, "data:image/jpeg") ||
	       starts(url, "data:image/webp");
}

/* Walks every tag of html. Returns NULL when each tag and attribute is on
 * the lists above and each URL is safe, else where the first problem starts.
 * The only comment allowed is cmark's "raw HTML omitted". */
static const char *first_unsafe(const char *html)
{
	for (const char *p = html; (p = strchr(p, '<'));) {
		const char *tag = p;
		if (starts(p, "<!--")) {
			if (!starts(p, "<!-- raw HTML omitted -->"))
				return tag;
			p += 25;
			continue;
		}
		p += 1 + (p[1] == '/');
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
		if (!listed(TAGS, p, n))
			return tag;
		for (p += n;;) {
			p += strspn(p, " \n");
			if (*p == '>' || starts(p, "/>"))
				break;
			size_t an = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
			if (!listed(ATTRS, p, an) || p[an] != '=' || p[an + 1] != '"')
				return p;
			const char *v = p + an + 2, *q = strchr(v, '"');
			if (!q)
				return p;
			bool url = starts(p, "href=") || starts(p, "src=");
			if (url && !safe_url(*p == 'h' ? "href" : "src", v, (size_t)(q - v)))
				return p;
			p = q + 1;
		}
	}
	return NULL;
}

static char *render(const char *md)
{
	char *html = fc_markdown_html(md, strlen(md));
	cr_assert(html, "no HTML for %s", md);
	return html;
}

static const char *const VECTORS[] = {
	"<script>alert(1)</script>",
	"<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
	"text <script>alert(1)</script> inline",
	"<img src=x onerror=alert(1)>",
	"![x](x \"a\\\" onerror=alert(1)\")",
	"[x](javascript:alert(1))",
	"[x](JAVASCRIPT:alert(1))",
	"[x](JaVaScRiPt:alert(1))",
	"[x]( javascript:alert(1) )",
	"[x](<javascript:alert(1)>)",
	"<javascript:alert(1)>",
	"[x]: javascript:alert(1)\n\n[x] and [y][x]",
	"[x](vbscript:msgbox(1))",
	"[x](VBScript:msgbox(1))",
	"[x](file:///etc/passwd)",
	"<a href=\"javascript:alert(1)\">x</a>",
	"<a href='javascript:alert(1)'>x</a>",
	"![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"[x](data:text/html,<script>alert(1)</script>)",
	"![x](data:image/svg+xml,<svg onload=alert(1)>)",
	"<iframe src=\"https://evil.example\"></iframe>",
	"<iframe srcdoc=\"<script>alert(1)</script>\">",
	"<svg onload=alert(1)>",
	"<svg><script>alert(1)</script></svg>",
	"<math><mtext><script>alert(1)</script></mtext></math>",
	"[x](&#106;avascript:alert(1))",
	"[x](&#x6A;avascript:alert(1))",
	"[x](&#0000106;&#0000097;vascript:alert(1))",
	"[x](javascript&colon;alert(1))",
	"[x](java&#9;script:alert(1))",
	"[x](java&#x0A;script:alert(1))",
	"[x](&#1;javascript:alert(1))",
	"[x](&#32;javascript:alert(1))",
	"[x](java\\script:alert(1))",
	"[x](%6Aavascript:alert(1))",
	"<div onclick=\"alert(1)\">click</div>",
	"<p onmouseover=alert(1)>hover</p>",
	"a <b onmouseover=alert(1)>bold</b> word",
	"<span style=\"background:url(javascript:alert(1))\">x</span>",
	"<object data=\"javascript:alert(1)\"></object>",
	"<embed src=\"javascript:alert(1)\">",
	"<form action=\"javascript:alert(1)\"><button>go</button></form>",
	"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
	"<base href=\"javascript:/\">",
	"<link rel=stylesheet href=\"javascript:alert(1)\">",
	"<style>*{background:url(javascript:alert(1))}</style>",
	"<!-- x --><script>alert(1)</script>",
	"<![CDATA[<script>alert(1)</script>]]>",
	"[x](\"onmouseover=alert(1))",
	"[x](x \"a\\\" onmouseover=alert(1)\")",
	"`<script>alert(1)</script>`",
	"```html\n<script>alert(1)</script>\n```",
	"```\"><script>alert(1)</script>\nx\n```",
	"> <script>alert(1)</script>",
	"- <img src=x onerror=alert(1)>\n- [x](javascript:alert(1))",
	"# <script>alert(1)</script>",
	"&lt;script&gt;alert(1)&lt;/script&gt;",
	"\\<script>alert(1)\\</script>",
	NULL,
};

Test(markdown, xss_vectors_leave_nothing_executable)
{
	for (size_t i = 0; VECTORS[i]; i++) {
		char *html = render(VECTORS[i]);
		const char *bad = first_unsafe(html);
		cr_expect(!bad, "unsafe HTML at \"%.40s\" from %s", bad, VECTORS[i]);
		free(html);
	}
}

/* The checker itself must catch what it is there for, or the test above
 * proves nothing. */
Test(markdown, checker_catches_unsafe_html)
{
	static const char *const bad[] = {
		"<script>alert(1)</script>",
		"<p>a <img src=\"x\" onerror=\"alert(1)\" /></p>",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<a href=\" &#106;ava&#9;script&#58;alert(1)\">x</a>",
		"<a href=\"JAVA\nSCRIPT:alert(1)\">x</a>",
		"<a href=\"vbscript:x\">x</a>",
		"<img src=\"data:text/html,x\" alt=\"\" />",
		"<iframe src=\"x\"></iframe>",
		"<svg onload=alert(1)>",
		"<p style=\"x\">a</p>",
		"<h1>a</h1>",
		"<!-- --><p>a</p>",
		"<a href=javascript:alert(1)>x</a>",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect(first_unsafe(bad[i]), "the checker let through %s", bad[i]);
	cr_expect(!first_unsafe("<p><a href=\"https://e.example/?a=1&amp;b=2\" title=\"t\">x</a> "
				"<img src=\"data:image/png;base64,AA\" alt=\"\" /></p><!-- raw HTML omitted -->"));
}

Test(markdown, raw_html_and_bad_urls_are_dropped_by_name)
{
	char *html = render("<script>alert(1)</script>");
	cr_expect_str_eq(html, "<!-- raw HTML omitted -->\n");
	free(html);
	html = render("[x](javascript:alert(1)) [y](&#106;avascript:alert(1)) [z](VBSCRIPT:x)");
	cr_expect_str_eq(html, "<p><a href=\"\">x</a> <a href=\"\">y</a> <a href=\"\">z</a></p>\n");
	free(html);
	html = render("![x](data:text/html,hi)");
	cr_expect_str_eq(html, "<p><img src=\"\" alt=\"x\" /></p>\n");
	free(html);
	html = render("a <img src=x onerror=alert(1)> b");
	cr_expect_str_eq(html, "<p>a <!-- raw HTML omitted --> b</p>\n");
	free(html);
}

Test(markdown, ordinary_markdown_renders)
{
	static const struct {
		const char *md, *html;
	} cases[] = {
		{"# What to do", "<h2>What to do</h2>\n"},
		{"### Three\n###### Six", "<h4>Three</h4>\n<h6>Six</h6>\n"},
		{"Title\n=====", "<h2>Title</h2>\n"},
		{"- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"},
		{"3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n"},
		{"*em* and **strong** and _em_", "<p><em>em</em> and <strong>strong</strong> and <em>em</em></p>\n"},
		{"[site](https://example.com/a?b=1&c=2 \"Site\")",
		 "<p><a href=\"https://example.com/a?b=1&amp;c=2\" title=\"Site\">site</a></p>\n"},
		{"[mail](mailto:team@example.com) [here](/work/1#top)",
		 "<p><a href=\"mailto:team@example.com\">mail</a> <a href=\"/work/1#top\">here</a></p>\n"},
		{"<https://example.com>", "<p><a href=\"https://example.com\">https://example.com</a></p>\n"},
		{"Press `Ctrl+Z` or `a<b`", "<p>Press <code>Ctrl+Z</code> or <code>a&lt;b</code></p>\n"},
		{"```js\nlet a = 1 < 2;\n```", "<pre><code class=\"language-js\">let a = 1 &lt; 2;\n</code></pre>\n"},
		{"> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"},
		{"a\n\n---\n\nb", "<p>a</p>\n<hr />\n<p>b</p>\n"},
		{"![car](data:image/png;base64,AAAA)", "<p><img src=\"data:image/png;base64,AAAA\" alt=\"car\" /></p>\n"},
		{"5 > 3 & 2 < 4", "<p>5 &gt; 3 &amp; 2 &lt; 4</p>\n"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *html = render(cases[i].md);
		cr_expect_str_eq(html, cases[i].html, "from %s", cases[i].md);
		cr_expect(!first_unsafe(html), "%s", html);
		free(html);
	}
}

Test(markdown, bytes_that_are_not_text)
{
	/* invalid UTF-8 and NUL become U+FFFD, so the HTML is a valid JSON string */
	char *html = fc_markdown_html("a\xff"
				      "b\0c",
				      5);
	cr_assert(html);
	cr_expect_str_eq(html, "<p>a\xef\xbf\xbd"
			       "b\xef\xbf\xbd"
			       "c</p>\n");
	free(html);
	html = fc_markdown_html(NULL, 0);
	cr_assert(html);
	cr_expect_str_eq(html, "");
	free(html);
	json_t *j = fc_markdown_json("bad \xc3 byte");
	cr_assert(j, "a JSON string even from invalid UTF-8");
	cr_expect_str_eq(json_string_value(j), "<p>bad \xef\xbf\xbd byte</p>\n");
	json_decref(j);
	j = fc_markdown_json(NULL);
	cr_assert(j);
	cr_expect_str_eq(json_string_value(j), "");
	json_decref(j);
}
