#include "work/labelconfig.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

static fc_labelconfig *parse_ok(const char *xml)
{
	fc_err err = {0};
	fc_labelconfig *c = NULL;
	int rc = fc_labelconfig_parse(xml, strlen(xml), &c, &err);
	cr_assert_eq(rc, 0, "parse failed: %s", err.msg);
	cr_assert_not_null(c);
	fc_err_clear(&err);
	return c;
}

/* The config must be refused with a message containing every needle. */
static void parse_bad(const char *xml, const char *needle1, const char *needle2)
{
	fc_err err = {0};
	fc_labelconfig *c = (fc_labelconfig *)1;
	int rc = fc_labelconfig_parse(xml, strlen(xml), &c, &err);
	cr_assert_eq(rc, FC_EINVAL, "expected FC_EINVAL, got %d", rc);
	cr_assert_null(c);
	cr_assert_str_eq(err.slug, "invalid_label_config");
	cr_assert_str_eq(err.field, "label_config");
	cr_assert_eq(fc_err_http_status(err.code), 400);
	cr_assert(strstr(err.msg, needle1), "message \"%s\" lacks \"%s\"", err.msg, needle1);
	if (needle2)
		cr_assert(strstr(err.msg, needle2), "message \"%s\" lacks \"%s\"", err.msg, needle2);
	fc_err_clear(&err);
}

static json_t *load(const char *text)
{
	if (!text)
		return NULL;
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	cr_assert_not_null(j, "test JSON does not parse: %s: %s", je.text, text);
	return j;
}

static int run(const fc_labelconfig *c, const char *result, const char *data, fc_err *err)
{
	json_t *r = load(result), *d = load(data);
	int rc = fc_labelconfig_validate_result(c, r, d, err);
	json_decref(r);
	json_decref(d);
	return rc;
}

static void result_ok(const fc_labelconfig *c, const char *result, const char *data)
{
	fc_err err = {0};
	int rc = run(c, result, data, &err);
	cr_assert_eq(rc, 0, "result refused: %s (field %s)", err.msg, err.field);
	cr_assert_null(err.details);
	fc_err_clear(&err);
}

/* The result must be refused, and one of the reported failures must name
 * exactly `field`. */
static void result_bad(const fc_labelconfig *c, const char *result, const char *data, const char *field)
{
	fc_err err = {0};
	int rc = run(c, result, data, &err);
	cr_assert_eq(rc, FC_EINVAL, "result accepted; expected a failure at %s", field);
	cr_assert_str_eq(err.slug, "invalid_result");
	cr_assert(json_is_array(err.details) && json_array_size(err.details) >= 1);
	/* The headline is the first detail. */
	const char *first = json_string_value(json_object_get(json_array_get(err.details, 0), "field"));
	cr_assert_str_eq(err.field, first);
	int found = 0;
	size_t i;
	json_t *d;
	json_array_foreach(err.details, i, d) {
		const char *f = json_string_value(json_object_get(d, "field"));
		const char *m = json_string_value(json_object_get(d, "message"));
		cr_assert(m && *m);
		if (f && !strcmp(f, field))
			found = 1;
	}
	char *dump = json_dumps(err.details, 0);
	cr_assert(found, "no failure at %s; got %s", field, dump);
	free(dump);
	fc_err_clear(&err);
}

/* ------------------------------------------------- configs: unhappy paths */

Test(labelconfig_parse, refuses_empty_input)
{
	fc_err err = {0};
	fc_labelconfig *c = NULL;
	cr_assert_eq(fc_labelconfig_parse("", 0, &c, &err), FC_EINVAL);
	cr_assert_str_eq(err.slug, "invalid_label_config");
	cr_assert_null(c);
	fc_err_clear(&err);
}

Test(labelconfig_parse, refuses_malformed_xml_with_line)
{
	parse_bad("<View>\n  <Text name=\"t\" value=\"$t\">\n  <Choices name=\"c\" toName=\"t\"/>\n</View>\n",
		  "not well-formed", "line 4");
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>", "not well-formed", "line");
	parse_bad("not xml at all", "not well-formed", NULL);
	parse_bad("<View><Text name=\"t\" value=\"$t\"/></View><View/>", "not well-formed", NULL);
}

Test(labelconfig_parse, refuses_invalid_utf8)
{
	parse_bad("<View><Header value=\"\xff\xfe\"/></View>", "not well-formed", NULL);
}

Test(labelconfig_parse, refuses_wrong_root)
{
	parse_bad("<Config><Text name=\"t\" value=\"$t\"/></Config>", "root tag must be <View>", "Config");
}

Test(labelconfig_parse, refuses_unknown_tag)
{
	parse_bad("<View>\n<Text name=\"t\" value=\"$t\"/>\n<Blink/>\n"
		  "<Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices></View>",
		  "Unknown tag <Blink>", "line 3");
	/* Unknown tags are refused, not ignored, wherever they sit. */
	parse_bad("<View><Image name=\"i\" value=\"$i\"/>"
		  "<BrushLabels name=\"b\" toName=\"i\"><Hologram value=\"x\"/></BrushLabels></View>",
		  "Unknown tag <Hologram>", NULL);
}

Test(labelconfig_parse, refuses_object_without_name)
{
	parse_bad("<View><Text value=\"$t\"/>"
		  "<Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices></View>",
		  "<Text>", "missing the name attribute");
}

Test(labelconfig_parse, refuses_control_without_name)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices toName=\"t\"><Choice value=\"a\"/></Choices></View>",
		  "<Choices>", "missing the name attribute");
}

Test(labelconfig_parse, refuses_control_without_toname)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"c\"><Choice value=\"a\"/></Choices></View>",
		  "<Choices name=\"c\">", "missing the toName attribute");
}

Test(labelconfig_parse, refuses_dangling_toname)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"c\" toName=\"txt\"><Choice value=\"a\"/></Choices></View>",
		  "toName \"txt\"", "names no object");
	/* One bad name in a list is enough. */
	parse_bad("<View><Text name=\"a\" value=\"$a\"/><Text name=\"b\" value=\"$b\"/>"
		  "<Pairwise name=\"pw\" toName=\"a, nope\"/></View>",
		  "toName \"nope\"", NULL);
	parse_bad("<View><Text name=\"a\" value=\"$a\"/>"
		  "<Choices name=\"c\" toName=\"a,,a\"><Choice value=\"x\"/></Choices></View>",
		  "empty name", NULL);
}

Test(labelconfig_parse, refuses_toname_pointing_at_a_control)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices>"
		  "<TextArea name=\"why\" toName=\"c\"/></View>",
		  "toName \"c\"", "names a control");
}

Test(labelconfig_parse, refuses_control_on_wrong_object_type)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<RectangleLabels name=\"r\" toName=\"t\"><Label value=\"a\"/></RectangleLabels></View>",
		  "<RectangleLabels name=\"r\">", "works only with Image");
	parse_bad("<View><Text name=\"a\" value=\"$a\"/>"
		  "<Pairwise name=\"pw\" toName=\"a\"/></View>",
		  "exactly two", NULL);
}

Test(labelconfig_parse, refuses_duplicate_names)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Image name=\"t\" value=\"$img\"/>"
		  "<Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices></View>",
		  "name \"t\" is already used", "<Image>");
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"t\" toName=\"t\"><Choice value=\"a\"/></Choices></View>",
		  "name \"t\" is already used", NULL);
}

/* Label Studio takes an option written twice as one, and so do we. */
Test(labelconfig_parse, accepts_duplicate_option_as_one)
{
	fc_labelconfig *c = parse_ok("<View><Text name=\"t\" value=\"$t\"/>"
				     "<Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/><Choice value=\"a\"/>"
				     "<Choice value=\"b\"/></Choices></View>");
	json_t *d = fc_labelconfig_describe(c);
	json_t *want = load("[\"a\",\"b\"]");
	cr_assert(json_equal(json_object_get(json_array_get(json_object_get(d, "controls"), 0), "choices"), want));
	json_decref(want);
	json_decref(d);
	result_ok(c, "[{\"from_name\":\"c\",\"to_name\":\"t\",\"type\":\"choices\",\"value\":{\"choices\":[\"a\"]}}]",
		  NULL);
	fc_labelconfig_free(c);
}

Test(labelconfig_parse, refuses_empty_choices_and_labels)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Choices name=\"c\" toName=\"t\"/></View>",
		  "<Choices name=\"c\">", "no <Choice> children");
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Labels name=\"l\" toName=\"t\"></Labels></View>",
		  "<Labels name=\"l\">", "no <Label> children");
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Labels name=\"l\" toName=\"t\"><Label value=\"\"/></Labels></View>",
		  "<Label>", "missing the value attribute");
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Labels name=\"l\" toName=\"t\"><Label value=\"a\"/></Labels>"
		  "<Relations/></View>",
		  "<Relations>", "no <Relation> children");
}

Test(labelconfig_parse, refuses_config_without_control)
{
	parse_bad("<View><Header value=\"Hello\"/><Text name=\"t\" value=\"$t\"/></View>", "no control tag", NULL);
	parse_bad("<View/>", "no control tag", NULL);
}

/* A value that is not "$field" is the text itself (Label Studio's docs
 * show <Text name="txt-1" value="John went to see Mary"/>). */
Test(labelconfig_parse, object_value_without_dollar_is_literal)
{
	fc_labelconfig *c = parse_ok("<View><Text name=\"t\" value=\"John went to see Mary\"/>"
				     "<Labels name=\"l\" toName=\"t\"><Label value=\"P\"/></Labels></View>");
	json_t *fields = fc_labelconfig_fields(c);
	cr_assert_eq(json_array_size(fields), 0, "a literal asks nothing of the task");
	json_decref(fields);
	/* Offsets are bounded by the literal text (21 characters). */
	result_ok(c,
		  "[{\"id\":\"r\",\"from_name\":\"l\",\"to_name\":\"t\",\"type\":\"labels\","
		  "\"value\":{\"start\":0,\"end\":4,\"labels\":[\"P\"]}}]",
		  "{}");
	result_bad(c,
		   "[{\"id\":\"r\",\"from_name\":\"l\",\"to_name\":\"t\",\"type\":\"labels\","
		   "\"value\":{\"start\":0,\"end\":22,\"labels\":[\"P\"]}}]",
		   "{}", "result[0].value.end");
	fc_labelconfig_free(c);
}

Test(labelconfig_parse, refuses_object_without_value)
{
	parse_bad("<View><Image name=\"i\"/>"
		  "<Choices name=\"c\" toName=\"i\"><Choice value=\"a\"/></Choices></View>",
		  "missing the value attribute", NULL);
}

Test(labelconfig_parse, refuses_children_in_the_wrong_place)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Label value=\"x\"/>"
		  "<Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices></View>",
		  "<Label>", "must be inside");
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"c\" toName=\"t\"><Label value=\"a\"/></Choices></View>",
		  "<Label>", "must be inside");
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/><Text name=\"u\" value=\"$u\"/></Choices></View>",
		  "<Text>", "cannot be inside");
	parse_bad("<View><Text name=\"t\" value=\"$t\"><Choice value=\"a\"/></Text>"
		  "<Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices></View>",
		  "<Text>", "cannot contain <Choice>");
}

Test(labelconfig_parse, refuses_bad_known_attribute_values)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"c\" toName=\"t\" choice=\"some\"><Choice value=\"a\"/></Choices></View>",
		  "attribute choice", "\"some\"");
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Rating name=\"r\" toName=\"t\" maxRating=\"ten\"/></View>",
		  "<Rating>", "attribute maxRating");
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Rating name=\"r\" toName=\"t\" maxRating=\"0\"/></View>",
		  "attribute maxRating", NULL);
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Number name=\"n\" toName=\"t\" min=\"5\" max=\"1\"/></View>",
		  "min (5) is greater than max (1)", NULL);
	parse_bad("<View><Text name=\"t\" value=\"$t\"/><Number name=\"n\" toName=\"t\" min=\"low\"/></View>",
		  "attribute min", NULL);
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"c\" toName=\"t\" required=\"yes\"><Choice value=\"a\"/></Choices></View>",
		  "attribute required", NULL);
	parse_bad("<View><Image name=\"i\" value=\"$i\"/>"
		  "<RectangleLabels name=\"r\" toName=\"i\"><Label value=\"a\" maxUsages=\"-1\"/></RectangleLabels></View>",
		  "attribute maxUsages", NULL);
}

Test(labelconfig_parse, refuses_xxe_external_entity)
{
	/* Refused before libxml2 runs: nothing is read from disk or network. */
	parse_bad("<?xml version=\"1.0\"?>\n"
		  "<!DOCTYPE View [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
		  "<View><Header value=\"&xxe;\"/><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"c\" toName=\"t\"><Choice value=\"&xxe;\"/></Choices></View>",
		  "DOCTYPE", NULL);
	parse_bad("<!DOCTYPE View SYSTEM \"http://127.0.0.1:1/evil.dtd\"><View/>", "DOCTYPE", NULL);
}

Test(labelconfig_parse, refuses_entity_expansion_bomb)
{
	parse_bad("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		  "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
		  "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
		  "<View><Header value=\"&lol3;\"/></View>",
		  "DOCTYPE", NULL);
}

Test(labelconfig_parse, undeclared_entities_are_inert)
{
	/* Without a DOCTYPE an entity reference cannot resolve to anything. */
	parse_bad("<View><Text name=\"t\" value=\"$t\"/>"
		  "<Choices name=\"c\" toName=\"t\"><Choice value=\"&xxe;\"/></Choices></View>",
		  "not well-formed", NULL);
}

Test(labelconfig_parse, refuses_oversized_config)
{
	size_t n = FC_LABELCONFIG_MAX_BYTES + 1;
	char *xml = malloc(n + 1);
	cr_assert_not_null(xml);
	const char *head =
		"<View><Text name=\"t\" value=\"$t\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices><!--";
	const char *tail = "--></View>";
	memset(xml, 'x', n);
	memcpy(xml, head, strlen(head));
	memcpy(xml + n - strlen(tail), tail, strlen(tail));
	xml[n] = 0;
	fc_err err = {0};
	fc_labelconfig *c = NULL;
	cr_assert_eq(fc_labelconfig_parse(xml, n, &c, &err), FC_EINVAL);
	cr_assert_null(c);
	cr_assert(strstr(err.msg, "256 KiB"), "%s", err.msg);
	fc_err_clear(&err);
	/* One byte less is within the limit. */
	memcpy(xml + 1, head, strlen(head));
	cr_assert_eq(fc_labelconfig_parse(xml + 1, n - 1, &c, &err), 0, "%s", err.msg);
	fc_labelconfig_free(c);
	free(xml);
}

Test(labelconfig_parse, does_not_need_nul_terminator)
{
	const char *xml = "<View><Text name=\"t\" value=\"$t\"/>"
			  "<Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices></View>GARBAGE";
	fc_err err = {0};
	fc_labelconfig *c = NULL;
	cr_assert_eq(fc_labelconfig_parse(xml, strlen(xml) - 7, &c, &err), 0, "%s", err.msg);
	fc_labelconfig_free(c);
}

Test(labelconfig_parse, libxml2_prints_nothing, .init = cr_redirect_stderr)
{
	parse_bad("<View><Text name=\"t\" value=\"$t\"></View>", "not well-formed", NULL);
	parse_bad("<View attr=1/>", "not well-formed", NULL);
	fflush(stderr);
	cr_assert_stderr_eq_str("");
}

/* ---------------------------------------------------- configs: happy paths */

Test(labelconfig_parse, ignores_unknown_attributes_and_layout)
{
	fc_labelconfig *c =
		parse_ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<!-- a comment -->\n"
			 "<View style=\"display: flex\" className=\"x\" someFutureAttr=\"1\">\n"
			 "  <Style>.x { color: red; }</Style>\n"
			 "  <Header value=\"Literal header text\" size=\"3\"/>\n"
			 "  <Collapse><Panel value=\"More\"><Header>Plain text</Header></Panel></Collapse>\n"
			 "  <Text name=\"t\" value=\"$t\" granularity=\"word\" highlightColor=\"#ff0000\"/>\n"
			 "  <Filter name=\"f\" toName=\"c\" minlength=\"0\"/>\n"
			 "  <Choices name=\"c\" toName=\"t\" showInline=\"true\" whenTagName=\"x\">\n"
			 "    <View><Header value=\"group\"/><Choice value=\"a\" hotkey=\"1\" selected=\"true\"/></View>\n"
			 "  </Choices>\n"
			 "</View>\n");
	fc_labelconfig_free(c);
}

Test(labelconfig_parse, tag_and_attribute_names_are_case_insensitive)
{
	fc_labelconfig *c =
		parse_ok("<view><text name=\"t\" value=\"$t\"/>"
			 "<choices name=\"c\" toname=\"t\" CHOICE=\"multiple\"><choice value=\"a\"/></choices></view>");
	json_t *d = fc_labelconfig_describe(c);
	json_t *k = json_array_get(json_object_get(d, "controls"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(k, "choice")), "multiple");
	json_decref(d);
	fc_labelconfig_free(c);
}

/* Templates from Label Studio's gallery, pasted as they ship. */

static const char tpl_bbox[] = "<View>\n"
			       "  <Image name=\"image\" value=\"$image\"/>\n"
			       "  <RectangleLabels name=\"label\" toName=\"image\">\n"
			       "    <Label value=\"Airplane\" background=\"green\"/>\n"
			       "    <Label value=\"Car\" background=\"blue\"/>\n"
			       "  </RectangleLabels>\n"
			       "</View>\n";

static const char tpl_polygon[] = "<View>\n"
				  "  <Header value=\"Select label and click the image to start\"/>\n"
				  "  <Image name=\"image\" value=\"$image\" zoom=\"true\"/>\n"
				  "  <PolygonLabels name=\"label\" toName=\"image\"\n"
				  "                 strokeWidth=\"3\" pointSize=\"small\"\n"
				  "                 opacity=\"0.9\">\n"
				  "    <Label value=\"Airplane\" background=\"red\"/>\n"
				  "    <Label value=\"Car\" background=\"blue\"/>\n"
				  "  </PolygonLabels>\n"
				  "</View>\n";

static const char tpl_keypoints[] = "<View>\n"
				    "  <KeyPointLabels name=\"kp-1\" toName=\"img-1\">\n"
				    "    <Label value=\"Face\" background=\"red\"/>\n"
				    "    <Label value=\"Nose\" background=\"green\"/>\n"
				    "  </KeyPointLabels>\n"
				    "  <Image name=\"img-1\" value=\"$img\" />\n"
				    "</View>\n";

static const char tpl_sentiment[] = "<View>\n"
				    "  <Text name=\"text\" value=\"$text\"/>\n"
				    "  <View style=\"box-shadow: 2px 2px 5px #999;\n"
				    "               padding: 20px; margin-top: 2em;\n"
				    "               border-radius: 5px;\">\n"
				    "    <Header value=\"Choose text sentiment\"/>\n"
				    "    <Choices name=\"sentiment\" toName=\"text\"\n"
				    "             choice=\"single\" showInLine=\"true\">\n"
				    "      <Choice value=\"Positive\"/>\n"
				    "      <Choice value=\"Negative\"/>\n"
				    "      <Choice value=\"Neutral\"/>\n"
				    "    </Choices>\n"
				    "  </View>\n"
				    "</View>\n";

static const char tpl_ner[] = "<View>\n"
			      "  <Labels name=\"label\" toName=\"text\">\n"
			      "    <Label value=\"PER\" background=\"red\"/>\n"
			      "    <Label value=\"ORG\" background=\"darkorange\"/>\n"
			      "    <Label value=\"LOC\" background=\"orange\"/>\n"
			      "    <Label value=\"MISC\" background=\"green\"/>\n"
			      "  </Labels>\n"
			      "\n"
			      "  <Text name=\"text\" value=\"$text\"/>\n"
			      "</View>\n";

static const char tpl_relations[] = "<View>\n"
				    "   <Relations>\n"
				    "    <Relation value=\"org:founded_by\"/>\n"
				    "    <Relation value=\"org:founded\"/>\n"
				    "  </Relations>\n"
				    "  <Labels name=\"label\" toName=\"text\">\n"
				    "    <Label value=\"Organization\" background=\"orange\"/>\n"
				    "    <Label value=\"Person\" background=\"green\"/>\n"
				    "    <Label value=\"Datetime\" background=\"blue\"/>\n"
				    "  </Labels>\n"
				    "\n"
				    "  <Text name=\"text\" value=\"$text\"/>\n"
				    "</View>\n";

static const char tpl_pairwise_llm[] =
	"<View className=\"root\">\n"
	"  <Style>\n"
	"  .root {\n"
	"    box-sizing: border-box;\n"
	"    margin: 0;\n"
	"    padding: 0;\n"
	"    font-family: 'Roboto',\n"
	"      sans-serif;\n"
	"    line-height: 1.6;\n"
	"    background-color: #f0f0f0;\n"
	"  }\n"
	"  .container {\n"
	"    margin: 0 auto;\n"
	"    padding: 20px;\n"
	"    background-color: #ffffff;\n"
	"    border-radius: 5px;\n"
	"    box-shadow: 0 4px 8px 0 rgba(0, 0, 0, 0.1), 0 6px 20px 0 rgba(0, 0, 0, 0.1);\n"
	"  }\n"
	"  .prompt {\n"
	"    padding: 20px;\n"
	"    background-color: #0084ff;\n"
	"    color: #ffffff;\n"
	"    border-radius: 5px;\n"
	"    margin-bottom: 20px;\n"
	"  }\n"
	"  .answers {\n"
	"    display: flex;\n"
	"    justify-content: space-between;\n"
	"    flex-wrap: wrap;\n"
	"    gap: 20px;\n"
	"  }\n"
	"  .answer-box {\n"
	"    flex-basis: 49%;\n"
	"    padding: 20px;\n"
	"    background-color: rgba(44, 62, 80, 0.9);\n"
	"    color: #ffffff;\n"
	"    border-radius: 5px;\n"
	"  }\n"
	"  </Style>\n"
	"  <View className=\"container\">\n"
	"    <View className=\"prompt\">\n"
	"      <Text name=\"prompt\" value=\"$prompt\" />\n"
	"    </View>\n"
	"    <View className=\"answers\">\n"
	"      <Pairwise name=\"comparison\" toName=\"answer1,answer2\"\n"
	"                selectionStyle=\"background-color: #27ae60; box-shadow: 4px 4px 4px #999; color: white;\"/>\n"
	"      <View className=\"answer-box\">\n"
	"        <Text name=\"answer1\" value=\"$answer1\" />\n"
	"      </View>\n"
	"      <View className=\"answer-box\">\n"
	"        <Text name=\"answer2\" value=\"$answer2\" />\n"
	"      </View>\n"
	"    </View>\n"
	"  </View>\n"
	"</View>\n";

static const char tpl_chatbot_rating[] =
	"<View>\n"
	"  <Paragraphs name=\"dialogue\" value=\"$dialogue\" layout=\"dialogue\"\n"
	"              textKey=\"content\" nameKey=\"role\"/>\n"
	"  <Header value=\"Rate the last response of the assistant\"/>\n"
	"  <Rating name=\"rating\" toName=\"dialogue\" maxRating=\"10\" icon=\"star\"\n"
	"          size=\"medium\" required=\"true\"/>\n"
	"  <Header value=\"Why? Explain your rating\"/>\n"
	"  <TextArea name=\"rationale\" toName=\"dialogue\" rows=\"4\" editable=\"true\"\n"
	"            maxSubmissions=\"1\" placeholder=\"Your reasoning\"/>\n"
	"</View>\n";

static const char tpl_audio_transcription[] = "<View>\n"
					      "  <Header value=\"Listen to the audio\"/>\n"
					      "  <Audio name=\"audio\" value=\"$audio\"/>\n"
					      "  <Header value=\"Write the transcription\"/>\n"
					      "  <TextArea name=\"transcription\" toName=\"audio\"\n"
					      "            rows=\"4\" editable=\"true\" maxSubmissions=\"1\"/>\n"
					      "</View>\n";

static const char tpl_video_tracking[] =
	"<View>\n"
	"   <Labels name=\"videoLabels\" toName=\"video\" allowEmpty=\"true\">\n"
	"     <Label value=\"Man\" background=\"blue\"/>\n"
	"     <Label value=\"Woman\" background=\"red\"/>\n"
	"     <Label value=\"Other\" background=\"green\"/>\n"
	"   </Labels>\n"
	"   <!-- Please specify FPS carefully, it will be used for all project videos -->\n"
	"   <Video name=\"video\" value=\"$video\" framerate=\"25.0\"/>\n"
	"   <VideoRectangle name=\"box\" toName=\"video\" />\n"
	"</View>\n";

static const char tpl_ranker[] = "<View>\n"
				 "  <Style>\n"
				 "    .htx-ranker-column { background: cornflowerblue; }\n"
				 "    .htx-ranker-item { background: lightgoldenrodyellow; }\n"
				 "  </Style>\n"
				 "  <List name=\"results\" value=\"$items\" title=\"Search Results\" />\n"
				 "  <Ranker name=\"rank\" toName=\"results\" />\n"
				 "</View>\n";

static const char tpl_html_ner[] = "<View>\n"
				   "  <HyperTextLabels name=\"ner\" toName=\"text\">\n"
				   "    <Label value=\"Person\" background=\"green\"/>\n"
				   "    <Label value=\"Organization\" background=\"blue\"/>\n"
				   "  </HyperTextLabels>\n"
				   "  <View style=\"border: 1px solid #CCC; border-radius: 10px; padding: 5px\">\n"
				   "    <HyperText name=\"text\" value=\"$text\"/>\n"
				   "  </View>\n"
				   "</View>\n";

static const char tpl_dialogue[] =
	"<View>\n"
	"  <ParagraphLabels name=\"ner\" toName=\"prg\">\n"
	"    <Label value=\"Important Stuff\"></Label>\n"
	"    <Label value=\"Random talk\"></Label>\n"
	"  </ParagraphLabels>\n"
	"  <Paragraphs audioUrl=\"$audio\" name=\"prg\" value=\"$dialogue\" layout=\"dialogue\"\n"
	"              textKey=\"text\" nameKey=\"author\" />\n"
	"</View>\n";

static const char tpl_audio_classification[] =
	"<View>\n"
	"  <Header value=\"Listen to the audio\"/>\n"
	"  <AudioPlus name=\"audio\" value=\"$audio\"/>\n"
	"  <Header value=\"Select its topic\"/>\n"
	"  <Choices name=\"topic\" toName=\"audio\" choice=\"multiple\" showInline=\"true\">\n"
	"    <Choice value=\"Politics\"/>\n"
	"    <Choice value=\"Business\"/>\n"
	"    <Choice value=\"Education\"/>\n"
	"    <Choice value=\"Other\"/>\n"
	"  </Choices>\n"
	"</View>\n";

static const char tpl_speaker_segmentation[] =
	"<View>\n"
	"  <Labels name=\"label\" toName=\"audio\" zoom=\"true\" hotkey=\"ctrl+enter\">\n"
	"    <Label value=\"Speaker one\" background=\"#00FF00\"/>\n"
	"    <Label value=\"Speaker two\" background=\"#12ad59\"/>\n"
	"  </Labels>\n"
	"  <Audio name=\"audio\" value=\"$audio\" />\n"
	"</View>\n";

static const char *const templates[] = {
	tpl_bbox,
	tpl_polygon,
	tpl_keypoints,
	tpl_sentiment,
	tpl_ner,
	tpl_relations,
	tpl_pairwise_llm,
	tpl_chatbot_rating,
	tpl_audio_transcription,
	tpl_video_tracking,
	tpl_ranker,
	tpl_html_ner,
	tpl_dialogue,
	tpl_audio_classification,
	tpl_speaker_segmentation,
};

Test(labelconfig_templates, gallery_templates_parse)
{
	for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++) {
		fc_err err = {0};
		fc_labelconfig *c = NULL;
		int rc = fc_labelconfig_parse(templates[i], strlen(templates[i]), &c, &err);
		cr_expect_eq(rc, 0, "template %zu refused: %s", i, err.msg);
		fc_err_clear(&err);
		fc_labelconfig_free(c);
	}
}

Test(labelconfig_templates, fields_lists_referenced_data)
{
	fc_labelconfig *c = parse_ok(tpl_pairwise_llm);
	json_t *f = fc_labelconfig_fields(c);
	json_t *want = json_pack("[s,s,s]", "prompt", "answer1", "answer2");
	cr_assert(json_equal(f, want));
	json_decref(f);
	json_decref(want);
	fc_labelconfig_free(c);

	c = parse_ok("<View><Header value=\"$title\"/><Image name=\"a\" value=\"$img\"/>"
		     "<Image name=\"b\" value=\"$img\"/>"
		     "<Choices name=\"c\" toName=\"a\" value=\"$options\"/></View>");
	f = fc_labelconfig_fields(c);
	want = json_pack("[s,s,s]", "title", "img", "options");
	cr_assert(json_equal(f, want));
	json_decref(f);
	json_decref(want);
	fc_labelconfig_free(c);
}

Test(labelconfig_templates, describe_reports_objects_and_controls)
{
	fc_labelconfig *c = parse_ok("<View><Image name=\"img\" value=\"$image\"/>"
				     "<RectangleLabels name=\"box\" toName=\"img\" maxUsages=\"3\">"
				     "<Label value=\"Car\" background=\"blue\" hotkey=\"c\" maxUsages=\"1\"/>"
				     "<Label value=\"Bus\" alias=\"bus\"/></RectangleLabels>"
				     "<Choices name=\"q\" toName=\"img\" choice=\"multiple\" required=\"true\">"
				     "<Choice value=\"Day\"/><Choice value=\"Night\"/></Choices>"
				     "<Rating name=\"r\" toName=\"img\"/>"
				     "<Number name=\"n\" toName=\"img\" min=\"0\" max=\"10\"/>"
				     "<TextArea name=\"note\" toName=\"img\" perRegion=\"true\"/></View>");
	json_t *d = fc_labelconfig_describe(c);
	cr_assert_not_null(d);
	json_t *objects = json_object_get(d, "objects"), *controls = json_object_get(d, "controls");
	cr_assert_eq(json_array_size(objects), 1);
	json_t *o = json_array_get(objects, 0);
	cr_assert_str_eq(json_string_value(json_object_get(o, "name")), "img");
	cr_assert_str_eq(json_string_value(json_object_get(o, "type")), "image");
	cr_assert_str_eq(json_string_value(json_object_get(o, "value")), "$image");
	cr_assert_str_eq(json_string_value(json_object_get(o, "field")), "image");
	cr_assert_eq(json_array_size(controls), 5);

	json_t *box = json_array_get(controls, 0);
	cr_assert_str_eq(json_string_value(json_object_get(box, "type")), "rectanglelabels");
	json_t *want = json_pack("[s,s]", "Car", "bus");
	cr_assert(json_equal(json_object_get(box, "labels"), want));
	json_decref(want);
	want = json_pack("[s]", "img");
	cr_assert(json_equal(json_object_get(box, "to_name"), want));
	json_decref(want);
	cr_assert_eq(json_integer_value(json_object_get(box, "max_usages")), 3);
	json_t *car = json_array_get(json_object_get(box, "options"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(car, "background")), "blue");
	cr_assert_str_eq(json_string_value(json_object_get(car, "hotkey")), "c");
	cr_assert_eq(json_integer_value(json_object_get(car, "max_usages")), 1);

	json_t *q = json_array_get(controls, 1);
	cr_assert_str_eq(json_string_value(json_object_get(q, "choice")), "multiple");
	cr_assert(json_is_true(json_object_get(q, "required")));
	cr_assert_eq(json_array_size(json_object_get(q, "choices")), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(controls, 2), "max_rating")), 5);
	json_t *n = json_array_get(controls, 3);
	cr_assert_float_eq(json_real_value(json_object_get(n, "min")), 0.0, 1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(n, "max")), 10.0, 1e-9);
	cr_assert(json_is_true(json_object_get(json_array_get(controls, 4), "per_region")));
	json_decref(d);
	fc_labelconfig_free(c);
}

Test(labelconfig_templates, describe_unnamed_relations)
{
	fc_labelconfig *c = parse_ok(tpl_relations);
	json_t *d = fc_labelconfig_describe(c);
	json_t *rel = json_array_get(json_object_get(d, "controls"), 0);
	cr_assert(json_is_null(json_object_get(rel, "name")));
	cr_assert_str_eq(json_string_value(json_object_get(rel, "type")), "relation");
	cr_assert_eq(json_array_size(json_object_get(rel, "relations")), 2);
	json_decref(d);
	fc_labelconfig_free(c);
}

/* ---------------------------------------------------- results: structure */

Test(labelconfig_result, structure_rules)
{
	fc_labelconfig *c = parse_ok(tpl_sentiment);
	result_ok(c, "[]", NULL); /* nothing required */
	result_bad(c, "{}", NULL, "result");
	result_bad(c, "[1]", NULL, "result[0]");
	result_bad(c, "[{\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"Positive\"]}}]", NULL,
		   "result[0].from_name");
	result_bad(c,
		   "[{\"from_name\":\"nope\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"Positive\"]}}]",
		   NULL, "result[0].from_name");
	result_bad(c,
		   "[{\"from_name\":\"sentiment\",\"to_name\":\"image\",\"type\":\"choices\",\"value\":{\"choices\":[\"Positive\"]}}]",
		   NULL, "result[0].to_name");
	result_bad(c, "[{\"from_name\":\"sentiment\",\"type\":\"choices\",\"value\":{\"choices\":[\"Positive\"]}}]",
		   NULL, "result[0].to_name");
	result_bad(c,
		   "[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"choices\":[\"Positive\"]}}]",
		   NULL, "result[0].type");
	result_bad(c, "[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\"}]", NULL,
		   "result[0].value");
	result_bad(c, "[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":[]}]", NULL,
		   "result[0].value");
	result_bad(c,
		   "[{\"id\":7,\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"Positive\"]}}]",
		   NULL, "result[0].id");
	fc_labelconfig_free(c);
}

Test(labelconfig_result, reports_every_failure_with_first_as_headline)
{
	fc_labelconfig *c = parse_ok(tpl_bbox);
	fc_err err = {0};
	int rc = run(c,
		     "[{\"id\":\"a\",\"from_name\":\"label\",\"to_name\":\"image\",\"type\":\"rectanglelabels\","
		     "\"value\":{\"x\":120,\"y\":10,\"width\":-1,\"height\":10,\"rectanglelabels\":[\"Boat\"]}},"
		     "{\"from_name\":\"ghost\",\"to_name\":\"image\",\"type\":\"rectanglelabels\",\"value\":{}}]",
		     NULL, &err);
	cr_assert_eq(rc, FC_EINVAL);
	cr_assert_str_eq(err.field, "result[0].value.x");
	cr_assert(strstr(err.msg, "between 0 and 100"), "%s", err.msg);
	cr_assert_geq(json_array_size(err.details), 4);
	fc_err_clear(&err);
	fc_labelconfig_free(c);
}

Test(labelconfig_result, caps_the_number_of_details)
{
	fc_labelconfig *c = parse_ok(tpl_sentiment);
	json_t *r = json_array();
	for (int i = 0; i < 500; i++)
		json_array_append_new(r, json_integer(i));
	fc_err err = {0};
	cr_assert_eq(fc_labelconfig_validate_result(c, r, NULL, &err), FC_EINVAL);
	cr_assert_eq(json_array_size(err.details), 100);
	fc_err_clear(&err);
	json_decref(r);
	fc_labelconfig_free(c);
}

Test(labelconfig_result, works_without_err)
{
	fc_labelconfig *c = parse_ok(tpl_sentiment);
	json_t *r = json_pack("[i]", 1);
	cr_assert_eq(fc_labelconfig_validate_result(c, r, NULL, NULL), FC_EINVAL);
	json_decref(r);
	fc_labelconfig_free(c);
}

/* ------------------------------------------------------ results: choices */

#define SENT(choices) \
	"[{\"id\":\"s1\",\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\"," \
	"\"value\":{\"choices\":" choices "}}]"

Test(labelconfig_result, choices)
{
	fc_labelconfig *c = parse_ok(tpl_sentiment);
	result_ok(c, SENT("[\"Positive\"]"), "{\"text\":\"I love it\"}");
	result_bad(c, SENT("[]"), NULL, "result[0].value.choices");
	result_bad(c, SENT("\"Positive\""), NULL, "result[0].value.choices");
	result_bad(c, SENT("[\"Happy\"]"), NULL, "result[0].value.choices[0]");
	result_bad(c, SENT("[3]"), NULL, "result[0].value.choices[0]");
	/* single: exactly one */
	result_bad(c, SENT("[\"Positive\",\"Negative\"]"), NULL, "result[0].value.choices");
	result_bad(c, "[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{}}]", NULL,
		   "result[0].value.choices");
	fc_labelconfig_free(c);

	c = parse_ok(tpl_audio_classification);
	result_ok(c,
		  "[{\"from_name\":\"topic\",\"to_name\":\"audio\",\"type\":\"choices\","
		  "\"value\":{\"choices\":[\"Politics\",\"Business\"]}}]",
		  NULL);
	fc_labelconfig_free(c);
}

Test(labelconfig_result, choice_alias_is_what_results_carry)
{
	fc_labelconfig *c =
		parse_ok("<View><Text name=\"t\" value=\"$t\"/>"
			 "<Choices name=\"c\" toName=\"t\"><Choice value=\"Very good\" alias=\"5\"/></Choices></View>");
	result_ok(c, "[{\"from_name\":\"c\",\"to_name\":\"t\",\"type\":\"choices\",\"value\":{\"choices\":[\"5\"]}}]",
		  NULL);
	result_bad(c,
		   "[{\"from_name\":\"c\",\"to_name\":\"t\",\"type\":\"choices\",\"value\":{\"choices\":[\"Very good\"]}}]",
		   NULL, "result[0].value.choices[0]");
	fc_labelconfig_free(c);
}

Test(labelconfig_result, dynamic_choices_come_from_the_task)
{
	fc_labelconfig *c = parse_ok("<View><Text name=\"t\" value=\"$t\"/>"
				     "<Choices name=\"c\" toName=\"t\" value=\"$options\"/></View>");
	const char *r_ok =
		"[{\"from_name\":\"c\",\"to_name\":\"t\",\"type\":\"choices\",\"value\":{\"choices\":[\"B\"]}}]";
	const char *r_bad =
		"[{\"from_name\":\"c\",\"to_name\":\"t\",\"type\":\"choices\",\"value\":{\"choices\":[\"Z\"]}}]";
	const char *data = "{\"t\":\"x\",\"options\":[{\"value\":\"A\"},{\"value\":\"B\"}]}";
	result_ok(c, r_ok, data);
	result_bad(c, r_bad, data, "result[0].value.choices[0]");
	result_ok(c, r_bad, NULL); /* unknown without the task */
	fc_labelconfig_free(c);
}

/* ------------------------------------------------------- results: labels */

#define NER(value) \
	"[{\"id\":\"r1\",\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"labels\"," \
	"\"value\":" value "}]"

Test(labelconfig_result, text_spans)
{
	fc_labelconfig *c = parse_ok(tpl_ner);
	const char *data = "{\"text\":\"Barack Obama visited Paris\"}";
	result_ok(c, NER("{\"start\":0,\"end\":12,\"text\":\"Barack Obama\",\"labels\":[\"PER\"]}"), data);
	result_ok(c, NER("{\"start\":21,\"end\":26,\"labels\":[\"LOC\",\"MISC\"]}"), data);
	result_bad(c, NER("{\"start\":-1,\"end\":5,\"labels\":[\"PER\"]}"), data, "result[0].value.start");
	result_bad(c, NER("{\"start\":5,\"end\":5,\"labels\":[\"PER\"]}"), data, "result[0].value.end");
	result_bad(c, NER("{\"start\":5,\"end\":3,\"labels\":[\"PER\"]}"), data, "result[0].value.end");
	result_bad(c, NER("{\"start\":21,\"end\":27,\"labels\":[\"LOC\"]}"), data, "result[0].value.end");
	result_bad(c, NER("{\"start\":\"0\",\"end\":12,\"labels\":[\"PER\"]}"), data, "result[0].value.start");
	result_bad(c, NER("{\"start\":0.5,\"end\":12,\"labels\":[\"PER\"]}"), data, "result[0].value.start");
	result_bad(c, NER("{\"end\":12,\"labels\":[\"PER\"]}"), data, "result[0].value.start");
	result_bad(c, NER("{\"start\":0,\"end\":12,\"labels\":[\"PERSON\"]}"), data, "result[0].value.labels[0]");
	result_bad(c, NER("{\"start\":0,\"end\":12,\"labels\":[]}"), data, "result[0].value.labels");
	result_bad(c, NER("{\"start\":0,\"end\":12}"), data, "result[0].value.labels");
	result_bad(c, NER("{\"start\":0,\"end\":12,\"labels\":[\"PER\"],\"text\":5}"), data, "result[0].value.text");
	/* Without the task the length is unknown and not checked. */
	result_ok(c, NER("{\"start\":21,\"end\":2700,\"labels\":[\"LOC\"]}"), NULL);
	fc_labelconfig_free(c);
}

Test(labelconfig_result, text_length_counts_utf16_units)
{
	fc_labelconfig *c = parse_ok(tpl_ner);
	/* "😀 ab": the emoji is two UTF-16 units, so JavaScript's length is 5. */
	const char *data = "{\"text\":\"\xF0\x9F\x98\x80 ab\"}";
	result_ok(c, NER("{\"start\":3,\"end\":5,\"labels\":[\"MISC\"]}"), data);
	result_bad(c, NER("{\"start\":3,\"end\":6,\"labels\":[\"MISC\"]}"), data, "result[0].value.end");
	/* Two-byte UTF-8 characters are one unit each. */
	result_ok(c, NER("{\"start\":0,\"end\":4,\"labels\":[\"LOC\"]}"), "{\"text\":\"K\xC3\xB6ln\"}");
	result_bad(c, NER("{\"start\":0,\"end\":5,\"labels\":[\"LOC\"]}"), "{\"text\":\"K\xC3\xB6ln\"}",
		   "result[0].value.end");
	fc_labelconfig_free(c);
}

Test(labelconfig_result, audio_segments_are_seconds)
{
	fc_labelconfig *c = parse_ok(tpl_speaker_segmentation);
	const char *ok = "[{\"id\":\"a\",\"from_name\":\"label\",\"to_name\":\"audio\",\"type\":\"labels\","
			 "\"value\":{\"start\":1.25,\"end\":3.5,\"channel\":0,\"labels\":[\"Speaker one\"]}}]";
	result_ok(c, ok, "{\"audio\":\"https://x/a.wav\"}");
	result_bad(c,
		   "[{\"from_name\":\"label\",\"to_name\":\"audio\",\"type\":\"labels\","
		   "\"value\":{\"start\":3.5,\"end\":1.0,\"labels\":[\"Speaker one\"]}}]",
		   NULL, "result[0].value.end");
	fc_labelconfig_free(c);
}

Test(labelconfig_result, hypertext_spans)
{
	fc_labelconfig *c = parse_ok(tpl_html_ner);
	result_ok(c,
		  "[{\"id\":\"h\",\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"hypertextlabels\","
		  "\"value\":{\"start\":\"/p[1]/text()[1]\",\"end\":\"/p[1]/text()[1]\",\"startOffset\":0,"
		  "\"endOffset\":5,\"globalOffsets\":{\"start\":0,\"end\":5},\"text\":\"Alice\","
		  "\"htmllabels\":[\"Person\"]}}]",
		  NULL);
	result_bad(c,
		   "[{\"id\":\"h\",\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"hypertextlabels\","
		   "\"value\":{\"start\":\"/p[1]\",\"end\":\"/p[1]\",\"startOffset\":-2,\"endOffset\":5,"
		   "\"htmllabels\":[\"Person\"]}}]",
		   NULL, "result[0].value.startOffset");
	fc_labelconfig_free(c);
}

Test(labelconfig_result, paragraph_spans)
{
	fc_labelconfig *c = parse_ok(tpl_dialogue);
	const char *data = "{\"dialogue\":[{\"author\":\"A\",\"text\":\"hi\"},{\"author\":\"B\",\"text\":\"hello\"}]}";
	result_ok(c,
		  "[{\"id\":\"p\",\"from_name\":\"ner\",\"to_name\":\"prg\",\"type\":\"paragraphlabels\","
		  "\"value\":{\"start\":\"0\",\"end\":\"1\",\"startOffset\":0,\"endOffset\":3,"
		  "\"paragraphlabels\":[\"Random talk\"]}}]",
		  data);
	result_bad(c,
		   "[{\"id\":\"p\",\"from_name\":\"ner\",\"to_name\":\"prg\",\"type\":\"paragraphlabels\","
		   "\"value\":{\"start\":\"0\",\"end\":\"2\",\"startOffset\":0,\"endOffset\":3,"
		   "\"paragraphlabels\":[\"Random talk\"]}}]",
		   data, "result[0].value.end");
	fc_labelconfig_free(c);
}

/* --------------------------------------------------------- results: image */

#define BOX(value) \
	"[{\"id\":\"b1\",\"from_name\":\"label\",\"to_name\":\"image\",\"type\":\"rectanglelabels\"," \
	"\"original_width\":640,\"original_height\":480,\"image_rotation\":0,\"value\":" value "}]"

Test(labelconfig_result, rectangles)
{
	fc_labelconfig *c = parse_ok(tpl_bbox);
	result_ok(c, BOX("{\"x\":10,\"y\":20.5,\"width\":30,\"height\":40,\"rotation\":0,\"rectanglelabels\":[\"Car\"]}"),
		  NULL);
	result_ok(c, BOX("{\"x\":0,\"y\":0,\"width\":100,\"height\":100,\"rectanglelabels\":[\"Airplane\"]}"), NULL);
	/* Float noise from the UI at the edge passes. */
	result_ok(c, BOX("{\"x\":12.5,\"y\":0,\"width\":87.50000000000001,\"height\":10,\"rectanglelabels\":[\"Car\"]}"),
		  NULL);
	/* A rotated box may extend past x + width. */
	result_ok(c, BOX("{\"x\":90,\"y\":10,\"width\":30,\"height\":10,\"rotation\":45,\"rectanglelabels\":[\"Car\"]}"),
		  NULL);
	result_bad(c, BOX("{\"x\":-1,\"y\":0,\"width\":10,\"height\":10,\"rectanglelabels\":[\"Car\"]}"), NULL,
		   "result[0].value.x");
	result_bad(c, BOX("{\"x\":0,\"y\":101,\"width\":10,\"height\":10,\"rectanglelabels\":[\"Car\"]}"), NULL,
		   "result[0].value.y");
	result_bad(c, BOX("{\"x\":0,\"y\":0,\"width\":0,\"height\":10,\"rectanglelabels\":[\"Car\"]}"), NULL,
		   "result[0].value.width");
	result_bad(c, BOX("{\"x\":0,\"y\":0,\"width\":10,\"height\":-3,\"rectanglelabels\":[\"Car\"]}"), NULL,
		   "result[0].value.height");
	result_bad(c, BOX("{\"x\":60,\"y\":0,\"width\":50,\"height\":10,\"rectanglelabels\":[\"Car\"]}"), NULL,
		   "result[0].value.width");
	result_bad(c, BOX("{\"x\":0,\"y\":60,\"width\":10,\"height\":41,\"rectanglelabels\":[\"Car\"]}"), NULL,
		   "result[0].value.height");
	result_bad(c, BOX("{\"x\":\"1\",\"y\":0,\"width\":10,\"height\":10,\"rectanglelabels\":[\"Car\"]}"), NULL,
		   "result[0].value.x");
	result_bad(c, BOX("{\"y\":0,\"width\":10,\"height\":10,\"rectanglelabels\":[\"Car\"]}"), NULL,
		   "result[0].value.x");
	result_bad(c,
		   BOX("{\"x\":0,\"y\":0,\"width\":10,\"height\":10,\"rotation\":\"left\",\"rectanglelabels\":[\"Car\"]}"),
		   NULL, "result[0].value.rotation");
	result_bad(c, BOX("{\"x\":0,\"y\":0,\"width\":10,\"height\":10,\"rectanglelabels\":[\"Boat\"]}"), NULL,
		   "result[0].value.rectanglelabels[0]");
	/* The key follows the type: "labels" is not read for rectangles. */
	result_bad(c, BOX("{\"x\":0,\"y\":0,\"width\":10,\"height\":10,\"labels\":[\"Car\"]}"), NULL,
		   "result[0].value.rectanglelabels");
	fc_labelconfig_free(c);
}

#define POLY(points) \
	"[{\"id\":\"p1\",\"from_name\":\"label\",\"to_name\":\"image\",\"type\":\"polygonlabels\"," \
	"\"value\":{\"points\":" points ",\"closed\":true,\"polygonlabels\":[\"Car\"]}}]"

Test(labelconfig_result, polygons)
{
	fc_labelconfig *c = parse_ok(tpl_polygon);
	result_ok(c, POLY("[[10,10],[50.5,10],[30,40]]"), NULL);
	result_bad(c, POLY("[[10,10],[50,10]]"), NULL, "result[0].value.points");
	result_bad(c, POLY("[[10,10],[150,10],[30,40]]"), NULL, "result[0].value.points[1]");
	result_bad(c, POLY("[[10,10],[50,-0.5],[30,40]]"), NULL, "result[0].value.points[1]");
	result_bad(c, POLY("[[10],[50,10],[30,40]]"), NULL, "result[0].value.points[0]");
	result_bad(c, POLY("[[10,10,3],[50,10],[30,40]]"), NULL, "result[0].value.points[0]");
	result_bad(c, POLY("[\"a\",[50,10],[30,40]]"), NULL, "result[0].value.points[0]");
	result_bad(c, POLY("{}"), NULL, "result[0].value.points");
	fc_labelconfig_free(c);
}

#define KP(value) \
	"[{\"id\":\"k1\",\"from_name\":\"kp-1\",\"to_name\":\"img-1\",\"type\":\"keypointlabels\"," \
	"\"value\":" value "}]"

Test(labelconfig_result, keypoints)
{
	fc_labelconfig *c = parse_ok(tpl_keypoints);
	result_ok(c, KP("{\"x\":45.2,\"y\":33,\"width\":0.6,\"keypointlabels\":[\"Nose\"]}"), NULL);
	result_bad(c, KP("{\"x\":100.5,\"y\":33,\"keypointlabels\":[\"Nose\"]}"), NULL, "result[0].value.x");
	result_bad(c, KP("{\"x\":10,\"y\":-4,\"keypointlabels\":[\"Nose\"]}"), NULL, "result[0].value.y");
	result_bad(c, KP("{\"x\":10,\"y\":4,\"width\":-1,\"keypointlabels\":[\"Nose\"]}"), NULL, "result[0].value.width");
	result_bad(c, KP("{\"x\":10,\"y\":4,\"keypointlabels\":[\"Ear\"]}"), NULL, "result[0].value.keypointlabels[0]");
	fc_labelconfig_free(c);
}

/* ------------------------------------ results: text, rating, number, etc. */

Test(labelconfig_result, textarea)
{
	fc_labelconfig *c = parse_ok(tpl_audio_transcription);
#define TA(text) \
	"[{\"from_name\":\"transcription\",\"to_name\":\"audio\",\"type\":\"textarea\",\"value\":{\"text\":" text "}}]"
	result_ok(c, TA("[\"hello world\"]"), NULL);
	result_bad(c, TA("\"hello world\""), NULL, "result[0].value.text");
	result_bad(c, TA("[]"), NULL, "result[0].value.text");
	result_bad(c, TA("[\"\"]"), NULL, "result[0].value.text[0]");
	result_bad(c, TA("[\"  \\n\"]"), NULL, "result[0].value.text[0]");
	result_bad(c, TA("[42]"), NULL, "result[0].value.text[0]");
	/* maxSubmissions="1" */
	result_bad(c, TA("[\"one\",\"two\"]"), NULL, "result[0].value.text");
#undef TA
	fc_labelconfig_free(c);
}

#define CHAT(rating, extra) \
	"[{\"from_name\":\"rating\",\"to_name\":\"dialogue\",\"type\":\"rating\",\"value\":{\"rating\":" rating \
	"}}" extra "]"

Test(labelconfig_result, rating)
{
	fc_labelconfig *c = parse_ok(tpl_chatbot_rating);
	result_ok(c,
		  CHAT("10", ",{\"from_name\":\"rationale\",\"to_name\":\"dialogue\",\"type\":\"textarea\","
			     "\"value\":{\"text\":[\"Accurate and polite.\"]}}"),
		  NULL);
	result_ok(c, CHAT("1", ""), NULL);
	result_bad(c, CHAT("0", ""), NULL, "result[0].value.rating");
	result_bad(c, CHAT("11", ""), NULL, "result[0].value.rating");
	result_bad(c, CHAT("3.5", ""), NULL, "result[0].value.rating");
	result_bad(c, CHAT("\"5\"", ""), NULL, "result[0].value.rating");
	fc_labelconfig_free(c);

	/* maxRating defaults to 5 */
	c = parse_ok("<View><Text name=\"t\" value=\"$t\"/><Rating name=\"rating\" toName=\"t\"/></View>");
	result_ok(c, "[{\"from_name\":\"rating\",\"to_name\":\"t\",\"type\":\"rating\",\"value\":{\"rating\":5}}]", NULL);
	result_bad(c, "[{\"from_name\":\"rating\",\"to_name\":\"t\",\"type\":\"rating\",\"value\":{\"rating\":6}}]",
		   NULL, "result[0].value.rating");
	fc_labelconfig_free(c);
}

Test(labelconfig_result, number)
{
	fc_labelconfig *c = parse_ok("<View><Image name=\"i\" value=\"$i\"/>"
				     "<Number name=\"count\" toName=\"i\" min=\"0\" max=\"10\"/>"
				     "<Number name=\"free\" toName=\"i\"/></View>");
#define NUM(name, n) "[{\"from_name\":\"" name "\",\"to_name\":\"i\",\"type\":\"number\",\"value\":{\"number\":" n "}}]"
	result_ok(c, NUM("count", "0"), NULL);
	result_ok(c, NUM("count", "9.5"), NULL);
	result_ok(c, NUM("free", "-1e9"), NULL);
	result_bad(c, NUM("count", "-1"), NULL, "result[0].value.number");
	result_bad(c, NUM("count", "10.01"), NULL, "result[0].value.number");
	result_bad(c, NUM("count", "\"3\""), NULL, "result[0].value.number");
#undef NUM
	fc_labelconfig_free(c);
}

Test(labelconfig_result, pairwise)
{
	fc_labelconfig *c = parse_ok(tpl_pairwise_llm);
#define PW(to, sel) \
	"[{\"from_name\":\"comparison\",\"to_name\":\"" to "\",\"type\":\"pairwise\",\"value\":{\"selected\":" sel "}}]"
	result_ok(c, PW("answer1", "\"left\""), NULL);
	result_ok(c, PW("answer1,answer2", "\"right\""), NULL);
	result_bad(c, PW("answer1", "\"middle\""), NULL, "result[0].value.selected");
	result_bad(c, PW("answer1", "1"), NULL, "result[0].value.selected");
	result_bad(c, PW("prompt", "\"left\""), NULL, "result[0].to_name");
#undef PW
	fc_labelconfig_free(c);
}

Test(labelconfig_result, ranker)
{
	fc_labelconfig *c = parse_ok(tpl_ranker);
	const char *data =
		"{\"items\":[{\"id\":\"blog\",\"title\":\"a\"},{\"id\":\"mdn\",\"title\":\"b\"},{\"id\":\"wiki\",\"title\":\"c\"}]}";
#define RK(v) "[{\"from_name\":\"rank\",\"to_name\":\"results\",\"type\":\"ranker\",\"value\":{\"ranker\":" v "}}]"
	result_ok(c, RK("{\"results\":[\"mdn\",\"wiki\",\"blog\"]}"), data);
	result_ok(c, RK("{\"rank\":[\"mdn\",\"wiki\",\"blog\"]}"), data);
	result_bad(c, RK("[\"mdn\"]"), data, "result[0].value.ranker");
	result_bad(c, RK("{\"results\":[\"mdn\",\"nope\"]}"), data, "result[0].value.ranker.results[1]");
	result_bad(c, RK("{\"results\":\"mdn\"}"), data, "result[0].value.ranker.results");
	result_bad(c, RK("{\"elsewhere\":[\"mdn\"]}"), data, "result[0].value.ranker.elsewhere");
	fc_labelconfig_free(c);

	c = parse_ok("<View><List name=\"results\" value=\"$items\"/>"
		     "<Ranker name=\"rank\" toName=\"results\"><Bucket name=\"relevant\" title=\"Relevant\"/>"
		     "<Bucket name=\"junk\"/></Ranker></View>");
	result_ok(c, RK("{\"relevant\":[\"mdn\"],\"junk\":[\"blog\"],\"_\":[\"wiki\"]}"), data);
	result_bad(c, RK("{\"relevant\":[3]}"), data, "result[0].value.ranker.relevant[0]");
#undef RK
	fc_labelconfig_free(c);
}

/* ------------------------------------------------------ results: video */

#define TRACK(seq, labels) \
	"[{\"id\":\"t1\",\"from_name\":\"box\",\"to_name\":\"video\",\"type\":\"videorectangle\"," \
	"\"value\":{\"framesCount\":250,\"duration\":10,\"sequence\":" seq labels "}}]"

Test(labelconfig_result, video_tracks)
{
	fc_labelconfig *c = parse_ok(tpl_video_tracking);
	const char *seq =
		"[{\"frame\":1,\"enabled\":true,\"rotation\":0,\"x\":10,\"y\":10,\"width\":20,\"height\":30,\"time\":0.04},"
		"{\"frame\":25,\"enabled\":false,\"x\":40,\"y\":10,\"width\":20,\"height\":30,\"time\":1}]";
	char buf[1024];
	snprintf(buf, sizeof buf, TRACK("%s", ",\"labels\":[\"Man\"]"), seq);
	result_ok(c, buf, NULL);
	snprintf(buf, sizeof buf, TRACK("%s", ""), seq);
	result_ok(c, buf, NULL);
	snprintf(buf, sizeof buf, TRACK("%s", ",\"labels\":[\"Dog\"]"), seq);
	result_bad(c, buf, NULL, "result[0].value.labels[0]");
	result_bad(c, TRACK("[]", ""), NULL, "result[0].value.sequence");
	result_bad(c, "[{\"from_name\":\"box\",\"to_name\":\"video\",\"type\":\"videorectangle\",\"value\":{}}]", NULL,
		   "result[0].value.sequence");
	result_bad(c, TRACK("[{\"frame\":1,\"x\":90,\"y\":10,\"width\":20,\"height\":30}]", ""), NULL,
		   "result[0].value.sequence[0].width");
	result_bad(c, TRACK("[{\"frame\":1.5,\"x\":9,\"y\":10,\"width\":20,\"height\":30}]", ""), NULL,
		   "result[0].value.sequence[0].frame");
	result_bad(c, TRACK("[{\"frame\":1,\"x\":9,\"y\":10,\"width\":20,\"height\":30,\"enabled\":\"yes\"}]", ""),
		   NULL, "result[0].value.sequence[0].enabled");
	result_bad(c, TRACK("[{\"frame\":1,\"x\":9,\"y\":10,\"width\":20}]", ""), NULL,
		   "result[0].value.sequence[0].height");
	result_bad(c, TRACK("[7]", ""), NULL, "result[0].value.sequence[0]");
	fc_labelconfig_free(c);
}

/* --------------------------------------------------- results: relations */

Test(labelconfig_result, relations)
{
	fc_labelconfig *c = parse_ok(tpl_relations);
	const char *data = "{\"text\":\"Apple was founded by Steve Jobs\"}";
	const char *regions = "{\"id\":\"org\",\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"labels\","
			      "\"value\":{\"start\":0,\"end\":5,\"text\":\"Apple\",\"labels\":[\"Organization\"]}},"
			      "{\"id\":\"per\",\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"labels\","
			      "\"value\":{\"start\":21,\"end\":31,\"text\":\"Steve Jobs\",\"labels\":[\"Person\"]}}";
	char buf[2048];
#define REL(rel) (snprintf(buf, sizeof buf, "[%s,%s]", regions, rel), buf)
	result_ok(c,
		  REL("{\"from_id\":\"org\",\"to_id\":\"per\",\"type\":\"relation\",\"direction\":\"right\",\"labels\":[\"org:founded_by\"]}"),
		  data);
	result_ok(c,
		  REL("{\"from_id\":\"org\",\"to_id\":\"per\",\"type\":\"relation\",\"direction\":\"bi\",\"labels\":[]}"),
		  data);
	result_ok(c, REL("{\"from_id\":\"org\",\"to_id\":\"per\",\"type\":\"relation\"}"), data);
	result_bad(c, REL("{\"from_id\":\"org\",\"to_id\":\"ghost\",\"type\":\"relation\",\"direction\":\"right\"}"),
		   data, "result[2].to_id");
	result_bad(c, REL("{\"to_id\":\"per\",\"type\":\"relation\"}"), data, "result[2].from_id");
	result_bad(c, REL("{\"from_id\":\"org\",\"to_id\":\"per\",\"type\":\"relation\",\"direction\":\"up\"}"), data,
		   "result[2].direction");
	result_bad(c, REL("{\"from_id\":\"org\",\"to_id\":\"per\",\"type\":\"relation\",\"labels\":[\"org:sued\"]}"),
		   data, "result[2].labels[0]");
	result_bad(c, REL("{\"from_id\":\"org\",\"to_id\":\"per\",\"type\":\"relation\",\"labels\":\"org:founded\"}"),
		   data, "result[2].labels");
#undef REL
	fc_labelconfig_free(c);

	/* Without <Relations>, relations exist but carry no labels. */
	c = parse_ok(tpl_ner);
	result_ok(c,
		  "[{\"id\":\"a\",\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":0,\"end\":1,\"labels\":[\"PER\"]}},"
		  "{\"id\":\"b\",\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":1,\"end\":2,\"labels\":[\"ORG\"]}},"
		  "{\"from_id\":\"a\",\"to_id\":\"b\",\"type\":\"relation\",\"direction\":\"left\"}]",
		  NULL);
	result_bad(c,
		   "[{\"id\":\"a\",\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":0,\"end\":1,\"labels\":[\"PER\"]}},"
		   "{\"from_id\":\"a\",\"to_id\":\"a\",\"type\":\"relation\",\"labels\":[\"x\"]}]",
		   NULL, "result[1].labels[0]");
	fc_labelconfig_free(c);
}

/* ---------------------------------- results: required, maxUsages, perRegion */

Test(labelconfig_result, required_controls_must_answer)
{
	fc_labelconfig *c = parse_ok(tpl_chatbot_rating);
	/* rating is required, the rationale is not */
	result_bad(c,
		   "[{\"from_name\":\"rationale\",\"to_name\":\"dialogue\",\"type\":\"textarea\","
		   "\"value\":{\"text\":[\"meh\"]}}]",
		   NULL, "result");
	result_bad(c, "[]", NULL, "result");
	fc_labelconfig_free(c);
}

static const char tpl_regions_with_attributes[] =
	"<View>\n"
	"  <Image name=\"image\" value=\"$image\"/>\n"
	"  <RectangleLabels name=\"label\" toName=\"image\" maxUsages=\"2\">\n"
	"    <Label value=\"Car\"/>\n"
	"    <Label value=\"Sun\" maxUsages=\"1\"/>\n"
	"  </RectangleLabels>\n"
	"  <Choices name=\"color\" toName=\"image\" perRegion=\"true\" required=\"true\">\n"
	"    <Choice value=\"Red\"/>\n"
	"    <Choice value=\"Blue\"/>\n"
	"  </Choices>\n"
	"  <TextArea name=\"note\" toName=\"image\" perRegion=\"true\"/>\n"
	"</View>\n";

#define REGION(id, label) \
	"{\"id\":\"" id "\",\"from_name\":\"label\",\"to_name\":\"image\",\"type\":\"rectanglelabels\"," \
	"\"value\":{\"x\":1,\"y\":1,\"width\":5,\"height\":5,\"rectanglelabels\":[\"" label "\"]}}"
#define COLOR(id, color) \
	"{\"id\":\"" id "\",\"from_name\":\"color\",\"to_name\":\"image\",\"type\":\"choices\"," \
	"\"value\":{\"choices\":[\"" color "\"]}}"

Test(labelconfig_result, per_region_controls)
{
	fc_labelconfig *c = parse_ok(tpl_regions_with_attributes);
	result_ok(c,
		  "[" REGION("r1", "Car") "," COLOR("r1", "Red") "," REGION("r2", "Sun") "," COLOR(
			  "r2",
			  "Blue") ","
				  "{\"id\":\"r2\",\"from_name\":\"note\",\"to_name\":\"image\",\"type\":\"textarea\",\"value\":{\"text\":[\"bright\"]}}]",
		  NULL);
	result_ok(c, "[]", NULL); /* required per region, and there are no regions */
	/* A per-region answer must point at a region of this result. */
	result_bad(c,
		   "[" REGION("r1", "Car") "," COLOR(
			   "r1",
			   "Red") ","
				  "{\"from_name\":\"note\",\"to_name\":\"image\",\"type\":\"textarea\",\"value\":{\"text\":[\"x\"]}}]",
		   NULL, "result[2].id");
	result_bad(c, "[" REGION("r1", "Car") "," COLOR("r1", "Red") "," COLOR("r9", "Red") "]", NULL, "result[2].id");
	/* Required per region: every region needs its answer. */
	result_bad(c, "[" REGION("r1", "Car") "," COLOR("r1", "Red") "," REGION("r2", "Car") "]", NULL, "result[2]");
	fc_labelconfig_free(c);
}

Test(labelconfig_result, max_usages)
{
	fc_labelconfig *c = parse_ok(tpl_regions_with_attributes);
	/* Sun: its own limit of 1 */
	result_bad(c, "[" REGION("r1", "Sun") "," COLOR("r1", "Red") "," REGION("r2", "Sun") "," COLOR("r2", "Red") "]",
		   NULL, "result");
	/* Car: the control's limit of 2 */
	result_ok(c, "[" REGION("r1", "Car") "," COLOR("r1", "Red") "," REGION("r2", "Car") "," COLOR("r2", "Red") "]",
		  NULL);
	result_bad(c,
		   "[" REGION("r1", "Car") "," COLOR("r1", "Red") "," REGION("r2", "Car") "," COLOR(
			   "r2", "Red") "," REGION("r3", "Car") "," COLOR("r3", "Red") "]",
		   NULL, "result");
	fc_labelconfig_free(c);
}

Test(labelconfig_result, relations_tag_is_not_a_from_name)
{
	fc_labelconfig *c = parse_ok("<View><Text name=\"t\" value=\"$t\"/>"
				     "<Labels name=\"l\" toName=\"t\"><Label value=\"A\"/></Labels>"
				     "<Relations name=\"rels\"><Relation value=\"r\"/></Relations></View>");
	result_bad(c, "[{\"from_name\":\"rels\",\"to_name\":\"t\",\"type\":\"relation\",\"value\":{}}]", NULL,
		   "result[0].from_id");
	result_bad(c, "[{\"from_name\":\"rels\",\"to_name\":\"t\",\"type\":\"relations\",\"value\":{}}]", NULL,
		   "result[0].from_name");
	fc_labelconfig_free(c);
}

Test(labelconfig_result, required_relations)
{
	fc_labelconfig *c =
		parse_ok("<View><Text name=\"t\" value=\"$t\"/>"
			 "<Labels name=\"l\" toName=\"t\"><Label value=\"A\"/></Labels>"
			 "<Relations required=\"true\" toName=\"ignored\"><Relation value=\"r\"/></Relations></View>");
	const char *regions =
		"{\"id\":\"a\",\"from_name\":\"l\",\"to_name\":\"t\",\"type\":\"labels\",\"value\":{\"start\":0,\"end\":1,\"labels\":[\"A\"]}},"
		"{\"id\":\"b\",\"from_name\":\"l\",\"to_name\":\"t\",\"type\":\"labels\",\"value\":{\"start\":1,\"end\":2,\"labels\":[\"A\"]}}";
	char buf[1024];
	snprintf(buf, sizeof buf, "[%s]", regions);
	result_bad(c, buf, NULL, "result");
	snprintf(buf, sizeof buf, "[%s,{\"from_id\":\"a\",\"to_id\":\"b\",\"type\":\"relation\",\"labels\":[\"r\"]}]",
		 regions);
	result_ok(c, buf, NULL);
	fc_labelconfig_free(c);
}

Test(labelconfig_parse, value_list_and_other_references)
{
	fc_labelconfig *c = parse_ok(tpl_dialogue);
	json_t *f = fc_labelconfig_fields(c);
	json_t *want = json_pack("[s,s]", "dialogue", "audio");
	cr_assert(json_equal(f, want));
	json_decref(f);
	json_decref(want);
	fc_labelconfig_free(c);

	c = parse_ok("<View><Image name=\"pages\" valueList=\"$pages\"/>"
		     "<RectangleLabels name=\"r\" toName=\"pages\"><Label value=\"x\"/></RectangleLabels></View>");
	f = fc_labelconfig_fields(c);
	cr_assert_str_eq(json_string_value(json_array_get(f, 0)), "pages");
	json_decref(f);
	fc_labelconfig_free(c);
}

Test(labelconfig_parse, toname_list_tolerates_spaces)
{
	fc_labelconfig *c = parse_ok("<View><Text name=\"a\" value=\"$a\"/><Text name=\"b\" value=\"$b\"/>"
				     "<Pairwise name=\"pw\" toName=\" a , b \"/></View>");
	json_t *d = fc_labelconfig_describe(c);
	json_t *want = json_pack("[s,s]", "a", "b");
	cr_assert(json_equal(json_object_get(json_array_get(json_object_get(d, "controls"), 0), "to_name"), want));
	json_decref(want);
	json_decref(d);
	result_ok(c,
		  "[{\"from_name\":\"pw\",\"to_name\":\"b\",\"type\":\"pairwise\",\"value\":{\"selected\":\"right\"}}]",
		  NULL);
	fc_labelconfig_free(c);
}

static void *parse_and_check(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		fc_labelconfig *c = NULL;
		fc_err err = {0};
		if (fc_labelconfig_parse(tpl_ner, strlen(tpl_ner), &c, &err))
			return (void *)1;
		json_t *r = json_loads("[{\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"labels\","
				       "\"value\":{\"start\":0,\"end\":1,\"labels\":[\"PER\"]}}]",
				       0, NULL);
		int rc = fc_labelconfig_validate_result(c, r, NULL, &err);
		json_decref(r);
		fc_labelconfig_free(c);
		/* a malformed one too, so error reporting runs concurrently */
		fc_err_clear(&err);
		if (rc || fc_labelconfig_parse("<View><x></View>", 16, &c, &err) != FC_EINVAL)
			return (void *)1;
		fc_err_clear(&err);
	}
	return NULL;
}

Test(labelconfig_parse, safe_from_several_threads)
{
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, parse_and_check, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		cr_assert_null(ret);
	}
}

/* ------------------------------------------------------- the tag table */

/* These read the table itself (labelconfig_internal.h), so a new row that
 * forgets its value checker, its child or its describe key fails here, and
 * the children rules are tried for every control, not only the ones the
 * tests above spell out. */
#include "work/labelconfig_internal.h"

static const struct fc_lc_tag *row_named(const char *name)
{
	for (size_t i = 0; i < fc_lc_ntags; i++)
		if (!strcmp(fc_lc_tags[i].name, name))
			return &fc_lc_tags[i];
	return NULL;
}

Test(labelconfig_table, every_row_is_complete)
{
	for (size_t i = 0; i < fc_lc_ntags; i++) {
		const struct fc_lc_tag *t = &fc_lc_tags[i];
		cr_assert_eq(fc_lc_find_tag(t->name), t, "<%s> is in the table twice", t->name);
		if (t->kind == K_OBJECT)
			cr_assert(t->lower && t->type, "object <%s> lacks its type", t->name);
		if (t->kind == K_CHILD) {
			int taken = 0;
			for (size_t j = 0; j < fc_lc_ntags; j++)
				taken |= fc_lc_tags[j].child && !strcmp(fc_lc_tags[j].child, t->name);
			cr_assert(taken, "no control takes child <%s>", t->name);
		}
		if (t->kind != K_CONTROL)
			continue;
		cr_assert(t->lower, "control <%s> lacks its result type", t->name);
		/* Relations answer with relation items, which the result check
		 * handles itself; every other control needs a value checker. */
		if (!(t->flags & F_JOINS))
			cr_assert(t->check || t->label_key, "control <%s> has no value checker", t->name);
		cr_assert(!(t->flags & F_JOINS) || !t->check, "<%s> answers with relation items, not values", t->name);
		cr_assert(t->targets || (t->flags & F_JOINS), "control <%s> labels no object type", t->name);
		if (t->child) {
			const struct fc_lc_tag *child = row_named(t->child);
			cr_assert(child && child->kind == K_CHILD, "<%s> takes <%s>, which is no child row", t->name,
				  t->child);
			/* Options are listed by describe; children that carry none are not. */
			cr_assert_eq(!!t->options_key, !!child->option_attr, "<%s>: options_key and <%s> disagree",
				     t->name, t->child);
		}
		cr_assert(!(t->flags & F_NEEDS_CHILD) || t->child, "<%s> needs a child but names none", t->name);
		cr_assert(!t->label_key || (t->flags & F_REGION), "<%s> lists labels but makes no regions", t->name);
		for (const struct fc_lc_attr *a = t->attrs; a && a->name; a++)
			cr_assert(a->type != A_WORD || (a->words && a->words[0]), "<%s> %s has no words", t->name,
				  a->name);
	}
}

/* A config with control t and objects it may label; inside the control goes
 * one <inner>, carrying attribute `key` when key is set. */
static void config_for(char *buf, size_t n, const struct fc_lc_tag *t, const char *inner, const char *key)
{
	const char *object = "Image", *close = "/>";
	for (size_t i = 0; i < fc_lc_ntags; i++)
		if (fc_lc_tags[i].kind == K_OBJECT && (fc_lc_tags[i].type & t->targets) &&
		    !(fc_lc_tags[i].flags & F_DEPRECATED)) {
			object = fc_lc_tags[i].name;
			/* a TimeSeries plots at least one channel */
			if (fc_lc_tags[i].flags & F_CHANNELS)
				close = "><Channel column=\"v\"/></TimeSeries>";
			break;
		}
	char child[80] = "";
	if (inner)
		snprintf(child, sizeof child, "<%s %s=\"opt\"/>", inner, key ? key : "value");
	snprintf(buf, n,
		 "<View><%s name=\"o1\" value=\"$a\"%s<%s name=\"o2\" value=\"$b\"%s"
		 "<%s name=\"c\" toName=\"%s\">%s</%s>%s</View>",
		 object, close, object, close, t->name, (t->flags & F_PAIR) ? "o1,o2" : "o1", child, t->name,
		 /* Relations alone leave nothing to answer. */
		 (t->flags & F_JOINS) ? "<Choices name=\"z\" toName=\"o1\"><Choice value=\"a\"/></Choices>" : "");
}

Test(labelconfig_table, children_rules_are_enforced_for_every_control)
{
	char xml[512], want[96];
	for (size_t i = 0; i < fc_lc_ntags; i++) {
		const struct fc_lc_tag *t = &fc_lc_tags[i];
		if (t->kind != K_CONTROL)
			continue;
		if (t->child) {
			config_for(xml, sizeof xml, t, t->child, row_named(t->child)->option_attr);
			fc_labelconfig_free(parse_ok(xml));
		}
		if (!(t->flags & F_NEEDS_CHILD)) {
			config_for(xml, sizeof xml, t, NULL, NULL);
			fc_labelconfig_free(parse_ok(xml));
		} else {
			config_for(xml, sizeof xml, t, NULL, NULL);
			parse_bad(xml, "children; add at least one", t->child);
		}
		for (size_t j = 0; j < fc_lc_ntags; j++) {
			const struct fc_lc_tag *other = &fc_lc_tags[j];
			if (other->kind != K_CHILD || (t->child && !strcmp(t->child, other->name)))
				continue;
			config_for(xml, sizeof xml, t, other->name, other->option_attr);
			snprintf(want, sizeof want, ", not %s.", t->name);
			parse_bad(xml, "must be inside", want);
		}
	}
}

Test(labelconfig_table, every_value_checker_refuses_an_empty_value)
{
	char xml[512], result[256], field[32];
	for (size_t i = 0; i < fc_lc_ntags; i++) {
		const struct fc_lc_tag *t = &fc_lc_tags[i];
		if (t->kind != K_CONTROL || (t->flags & F_JOINS))
			continue;
		config_for(xml, sizeof xml, t, t->child, t->child ? row_named(t->child)->option_attr : NULL);
		fc_labelconfig *c = parse_ok(xml);
		snprintf(result, sizeof result,
			 "[{\"from_name\":\"c\",\"to_name\":\"o1\",\"type\":\"%s\",\"value\":{}}]", t->lower);
		fc_err err = {0};
		cr_assert_eq(run(c, result, NULL, &err), FC_EINVAL, "<%s> accepted an empty value", t->name);
		snprintf(field, sizeof field, "result[0].value.");
		cr_assert(!strncmp(err.field, field, strlen(field)), "<%s>: first failure at %s", t->name, err.field);
		fc_err_clear(&err);
		fc_labelconfig_free(c);
	}
}

Test(labelconfig_table, describe_shows_the_table_attributes)
{
	fc_labelconfig *c =
		parse_ok("<View><Image name=\"i\" value=\"$img\"/>"
			 "<Choices name=\"ch\" toName=\"i\" choice=\"multiple\" value=\"$opts\" maxUsages=\"3\"/>"
			 "<Rating name=\"r\" toName=\"i\"/>"
			 "<Number name=\"n\" toName=\"i\" min=\"1\"/>"
			 "<TextArea name=\"t\" toName=\"i\" maxSubmissions=\"2\"/></View>");
	json_t *d = fc_labelconfig_describe(c);
	json_t *want = load("[{\"name\":\"ch\",\"type\":\"choices\",\"to_name\":[\"i\"],\"required\":false,"
			    "\"per_region\":false,\"choices\":[],\"options\":[],\"max_usages\":3,\"choice\":\"multiple\","
			    "\"value\":\"$opts\"},"
			    "{\"name\":\"r\",\"type\":\"rating\",\"to_name\":[\"i\"],\"required\":false,"
			    "\"per_region\":false,\"max_rating\":5},"
			    "{\"name\":\"n\",\"type\":\"number\",\"to_name\":[\"i\"],\"required\":false,"
			    "\"per_region\":false,\"min\":1.0},"
			    "{\"name\":\"t\",\"type\":\"textarea\",\"to_name\":[\"i\"],\"required\":false,"
			    "\"per_region\":false,\"max_submissions\":2}]");
	char *got = json_dumps(json_object_get(d, "controls"), JSON_SORT_KEYS);
	cr_assert(json_equal(json_object_get(d, "controls"), want), "describe gave %s", got);
	free(got);
	json_decref(want);
	json_decref(d);
	fc_labelconfig_free(c);
}
