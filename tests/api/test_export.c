/* The dataset export formats (GET /projects/{id}/export?format=F): the
 * refusals first, then hand-computed numbers for boxes, polygons, rotated
 * boxes and keypoints in COCO, YOLO and VOC, BIO tags in CoNLL, CSV quoting,
 * the Label Studio JSON round trip and the pseudonymous worker ids. */
#include "harness.h"
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv S;
static void up(void) { suite_with_users(&S, 2); }
static void down(void) { srv_stop(&S); }
TestSuite(export, .init = up, .fini = down, .timeout = 300);

#define IMAGE_CONFIG \
	"<View><Image name=\"img\" value=\"$image\"/>" \
	"<RectangleLabels name=\"box\" toName=\"img\"><Label value=\"car\"/><Label value=\"person\"/></RectangleLabels>" \
	"<PolygonLabels name=\"poly\" toName=\"img\"><Label value=\"road\"/></PolygonLabels>" \
	"<KeyPointLabels name=\"pose\" toName=\"img\"><Label value=\"nose\"/><Label value=\"left_eye\"/>" \
	"<Label value=\"right_eye\"/></KeyPointLabels></View>"

#define NER_CONFIG \
	"<View><Text name=\"text\" value=\"$text\"/><Labels name=\"ner\" toName=\"text\">" \
	"<Label value=\"PER\"/><Label value=\"LOC\"/><Label value=\"New Org\"/></Labels>" \
	"<Choices name=\"lang\" toName=\"text\"><Choice value=\"en\"/><Choice value=\"fr\"/></Choices></View>"

/* Task 1 (640 × 480): a car box, a road triangle, two of three keypoints;
 * task 2 (200 × 100): a person box rotated 90°; task 3: no annotation. */
static const char IMAGE_TASKS[] =
	"{\"data\":{\"image\":\"https://cdn.example/img/street-1.jpg\"},\"annotations\":[{\"completed_by\":\"w1\","
	"\"result\":["
	"{\"id\":\"r1\",\"from_name\":\"box\",\"to_name\":\"img\",\"type\":\"rectanglelabels\",\"original_width\":640,"
	"\"original_height\":480,\"value\":{\"x\":10,\"y\":20,\"width\":25,\"height\":50,\"rotation\":0,"
	"\"rectanglelabels\":[\"car\"]}},"
	"{\"id\":\"p1\",\"from_name\":\"poly\",\"to_name\":\"img\",\"type\":\"polygonlabels\",\"original_width\":640,"
	"\"original_height\":480,\"value\":{\"points\":[[0,50],[50,50],[50,100]],\"polygonlabels\":[\"road\"]}},"
	"{\"id\":\"k1\",\"from_name\":\"pose\",\"to_name\":\"img\",\"type\":\"keypointlabels\",\"original_width\":640,"
	"\"original_height\":480,\"value\":{\"x\":50,\"y\":25,\"width\":1,\"keypointlabels\":[\"nose\"]}},"
	"{\"id\":\"k2\",\"from_name\":\"pose\",\"to_name\":\"img\",\"type\":\"keypointlabels\",\"original_width\":640,"
	"\"original_height\":480,\"value\":{\"x\":55,\"y\":20,\"width\":1,\"keypointlabels\":[\"right_eye\"]}}"
	"]}]}\n"
	"{\"data\":{\"image\":\"https://cdn.example/img/street-2.png?sig=abc\"},\"annotations\":[{\"completed_by\":\"w2\","
	"\"result\":[{\"id\":\"r2\",\"from_name\":\"box\",\"to_name\":\"img\",\"type\":\"rectanglelabels\","
	"\"original_width\":200,\"original_height\":100,\"value\":{\"x\":50,\"y\":10,\"width\":20,\"height\":10,"
	"\"rotation\":90,\"rectanglelabels\":[\"person\"]}}]}]}\n"
	"{\"data\":{\"image\":\"https://cdn.example/img/empty.jpg\"}}\n";

/* "Ann Lee flew to New York, then Paris." — Ann Lee (0-7) PER, New York
 * (16-24) LOC right after it... and Paris (31-36) LOC; "New Org" has a space. */
static const char NER_TASKS[] =
	"{\"data\":{\"text\":\"Ann Lee flew to New York, then Paris.\"},\"annotations\":[{\"completed_by\":\"w1\","
	"\"result\":["
	"{\"id\":\"s1\",\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":0,\"end\":7,"
	"\"text\":\"Ann Lee\",\"labels\":[\"PER\"]}},"
	"{\"id\":\"s2\",\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":16,\"end\":24,"
	"\"text\":\"New York\",\"labels\":[\"LOC\"]}},"
	"{\"id\":\"s3\",\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":31,\"end\":36,"
	"\"text\":\"Paris\",\"labels\":[\"LOC\"]}},"
	"{\"id\":\"c1\",\"from_name\":\"lang\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"en\"]}}"
	"]}]}\n"
	/* adjacent spans of one label: "Rome Milan" as two LOC spans; "Big Co" an org */
	"{\"data\":{\"text\":\"Rome Milan, \\\"Big Co\\\"\"},\"annotations\":[{\"completed_by\":\"w2\",\"result\":["
	"{\"id\":\"a\",\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":0,\"end\":4,"
	"\"labels\":[\"LOC\"]}},"
	"{\"id\":\"b\",\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":5,\"end\":10,"
	"\"labels\":[\"LOC\"]}},"
	"{\"id\":\"c\",\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":13,\"end\":19,"
	"\"labels\":[\"New Org\"]}}"
	"]}]}\n";

static long long draft_with(const char *title, const char *config, const char *tasks)
{
	long long pid = project_create(&S, S.req,
				       json_pack("{s:s,s:s,s:i}", "title", title, "label_config", config, "overlap", 1));
	if (tasks)
		project_import(&S, pid, S.req, tasks);
	return pid;
}

static res export_as(long long pid, const char *query, const char *token)
{
	char path[256];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?%s", pid, query);
	return api(&S, "GET", path, token, NULL);
}

/* export_as by the owner, which must answer 200. */
static res export_ok(long long pid, const char *query)
{
	res r = export_as(pid, query, S.req);
	cr_assert_eq(r.status, 200, "%s: %s", query, r.body);
	return r;
}

/* The files of a zip body: {name: text}. */
static json_t *unzip(const res *r)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_zip(a);
	cr_assert_eq(archive_read_open_memory(a, r->body, r->len), ARCHIVE_OK, "not a zip: %s", archive_error_string(a));
	json_t *files = json_object();
	struct archive_entry *e;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		char buf[65536];
		la_ssize_t n = archive_read_data(a, buf, sizeof buf - 1);
		cr_assert(n >= 0, "%s", archive_error_string(a));
		json_object_set_new(files, archive_entry_pathname(e), json_stringn(buf, (size_t)n));
	}
	archive_read_free(a);
	return files;
}

static const char *file_of(json_t *files, const char *name)
{
	const char *t = json_string_value(json_object_get(files, name));
	cr_assert(t, "no %s in the zip", name);
	return t;
}

/* A number of a JSON array, e.g. bbox[2]. */
static double num_at(json_t *j, const char *path, size_t i)
{
	return json_number_value(json_array_get(jget(j, path), i));
}

Test(export, refusals_name_the_problem)
{
	long long pid = draft_with("text", NER_CONFIG, NER_TASKS);
	res r = export_as(pid, "format=xml", S.req);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "format");
	const char *msg = jstr(r.json, "error.message");
	cr_expect(msg && strstr(msg, "coco") && strstr(msg, "yolo") && strstr(msg, "conll") && strstr(msg, "jsonl"),
		  "the message lists the formats: %s", msg);
	res_free(&r);
	r = export_as(pid, "format=json&status=some", S.req);
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "status");
	res_free(&r);
	r = export_as(pid, "format=json&labels=mean", S.req);
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "labels");
	res_free(&r);
	/* geometry formats on a text project: 422 naming the control they need */
	const char *geometric[] = {"coco", "yolo", "voc"};
	for (int i = 0; i < 3; i++) {
		char q[32];
		snprintf(q, sizeof q, "format=%s", geometric[i]);
		r = export_as(pid, q, S.req);
		cr_expect_eq(r.status, 422, "%s: %s", q, r.body);
		cr_expect_str_eq(jstr(r.json, "error.code"), "format_unfit");
		cr_expect(strstr(jstr(r.json, "error.message"), "RectangleLabels"), "%s", r.body);
		res_free(&r);
	}
	long long img = draft_with("boxes", IMAGE_CONFIG, NULL);
	r = export_as(img, "format=conll", S.req);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message"), "Labels control on a Text"), "%s", r.body);
	res_free(&r);
	/* someone else's project is not there; a contributor may not export a live one */
	char other[64];
	make_user(&S, "req2@test.local", "requester", other);
	r = export_as(pid, "format=coco", other);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = export_as(pid, "format=json", S.c[0]);
	cr_expect_eq(r.status, 404, "a draft is invisible to contributors: %s", r.body);
	res_free(&r);
	long long live =
		project_live(&S, S.req,
			     json_pack("{s:s,s:s,s:i}", "title", "live", "label_config", SENTIMENT_CONFIG, "reward", 1),
			     "{\"text\":\"a\"}\n", 100);
	r = export_as(live, "format=csv", S.c[0]);
	cr_expect_eq(r.status, 403, "%s", r.body);
	res_free(&r);
	r = export_as(999999, "format=json", S.req);
	cr_expect_eq(r.status, 404);
	res_free(&r);
}

Test(export, an_empty_project_gives_empty_but_valid_files)
{
	long long pid = draft_with("empty", IMAGE_CONFIG, NULL);
	res r = export_ok(pid, "format=coco");
	cr_expect_eq(json_array_size(jget(r.json, "images")), 0, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "annotations")), 0);
	cr_expect_eq(json_array_size(jget(r.json, "categories")), 4);
	res_free(&r);
	r = export_ok(pid, "format=json");
	cr_expect(json_is_array(r.json) && json_array_size(r.json) == 0, "%s", r.body);
	res_free(&r);
	r = export_ok(pid, "format=yolo");
	json_t *files = unzip(&r);
	cr_expect_eq(json_object_size(files), 1, "only data.yaml");
	cr_expect(strstr(file_of(files, "data.yaml"), "nc: 3"));
	json_decref(files);
	res_free(&r);
	r = export_ok(pid, "format=voc");
	files = unzip(&r);
	cr_expect_eq(json_object_size(files), 0);
	json_decref(files);
	res_free(&r);
	r = export_ok(pid, "format=csv");
	cr_expect_str_eq(r.body, "task_id,worker_id,status,lead_time,created_at,image,box,poly,pose\r\n");
	res_free(&r);
}

Test(export, coco_has_pixel_boxes_polygons_and_keypoints)
{
	long long pid = draft_with("boxes", IMAGE_CONFIG, IMAGE_TASKS);
	res r = export_ok(pid, "format=coco");
	char h[256];
	cr_expect(strstr(res_header(&r, "Content-Disposition", h, sizeof h), "-coco.json"), "%s", h);
	json_t *j = r.json;
	cr_assert(j, "not JSON: %s", r.body);
	/* categories: the box and polygon labels, then the keypoint control */
	cr_expect_str_eq(jstr(j, "categories.0.name"), "car");
	cr_expect_str_eq(jstr(j, "categories.1.name"), "person");
	cr_expect_str_eq(jstr(j, "categories.2.name"), "road");
	cr_expect_str_eq(jstr(j, "categories.3.name"), "pose");
	cr_expect_eq(jint(j, "categories.3.id"), 4);
	cr_expect_str_eq(jstr(j, "categories.3.keypoints.2"), "right_eye");
	/* images: the two annotated tasks, sizes from the results */
	cr_assert_eq(json_array_size(jget(j, "images")), 2, "%s", r.body);
	cr_expect_str_eq(jstr(j, "images.0.file_name"), "street-1.jpg");
	cr_expect_eq(jint(j, "images.0.width"), 640);
	cr_expect_eq(jint(j, "images.0.height"), 480);
	cr_expect_str_eq(jstr(j, "images.1.file_name"), "street-2.png");
	cr_expect_str_eq(jstr(j, "images.1.coco_url"), "https://cdn.example/img/street-2.png?sig=abc");
	json_t *anns = jget(j, "annotations");
	cr_assert_eq(json_array_size(anns), 4, "%s", r.body);
	/* the car: x 10% of 640, y 20% of 480, 25% × 50% */
	json_t *car = json_array_get(anns, 0);
	cr_expect_eq(jint(car, "category_id"), 1);
	cr_expect_eq(jint(car, "image_id"), jint(j, "images.0.id"));
	double want_car[4] = {64, 96, 160, 240};
	for (int i = 0; i < 4; i++)
		cr_expect_float_eq(num_at(car, "bbox", (size_t)i), want_car[i], 1e-9, "car bbox[%d]", i);
	cr_expect_float_eq(json_number_value(jget(car, "area")), 38400, 1e-9);
	cr_expect_eq(jint(car, "iscrowd"), 0);
	cr_expect_eq(json_string_length(jget(car, "worker_id")), 64);
	/* the road triangle (0,240) (320,240) (320,480) */
	json_t *road = json_array_get(anns, 1);
	cr_expect_eq(jint(road, "category_id"), 3);
	double want_seg[6] = {0, 240, 320, 240, 320, 480}, want_road[4] = {0, 240, 320, 240};
	for (int i = 0; i < 6; i++)
		cr_expect_float_eq(json_number_value(json_array_get(jget(road, "segmentation.0"), (size_t)i)),
				   want_seg[i], 1e-9, "segmentation[%d]", i);
	for (int i = 0; i < 4; i++)
		cr_expect_float_eq(num_at(road, "bbox", (size_t)i), want_road[i], 1e-9, "road bbox[%d]", i);
	cr_expect_float_eq(json_number_value(jget(road, "area")), 38400, 1e-9);
	/* keypoints: nose (320,120) placed, left_eye not, right_eye (352,96) */
	json_t *pose = json_array_get(anns, 2);
	cr_expect_eq(jint(pose, "category_id"), 4);
	double want_kp[9] = {320, 120, 2, 0, 0, 0, 352, 96, 2}, want_pose[4] = {320, 96, 32, 24};
	cr_assert_eq(json_array_size(jget(pose, "keypoints")), 9, "%s", r.body);
	for (int i = 0; i < 9; i++)
		cr_expect_float_eq(num_at(pose, "keypoints", (size_t)i), want_kp[i], 1e-9, "keypoints[%d]", i);
	cr_expect_eq(jint(pose, "num_keypoints"), 2);
	for (int i = 0; i < 4; i++)
		cr_expect_float_eq(num_at(pose, "bbox", (size_t)i), want_pose[i], 1e-9, "pose bbox[%d]", i);
	/* the person box, 40 × 10 px at (100,10) turned 90° about its top-left
	 * corner: it now spans x 90..100, y 10..50 */
	json_t *person = json_array_get(anns, 3);
	cr_expect_eq(jint(person, "category_id"), 2);
	double want_person[4] = {90, 10, 10, 40};
	for (int i = 0; i < 4; i++)
		cr_expect_float_eq(num_at(person, "bbox", (size_t)i), want_person[i], 1e-9, "person bbox[%d]", i);
	res_free(&r);
}

/* The text of the first node the XPath expression finds in xml. */
static char *xpath_text(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	char *out = NULL;
	if (o && o->nodesetval && o->nodesetval->nodeNr > 0)
		out = (char *)xmlNodeGetContent(o->nodesetval->nodeTab[0]);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	cr_assert(out, "nothing at %s", expr);
	return out;
}

static int count_nodes(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return n;
}

static void expect_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xpath_text(doc, expr);
	cr_expect_str_eq(got, want, "%s", expr);
	xmlFree(got);
}

Test(export, yolo_lines_are_normalised_and_voc_xml_has_pixels)
{
	long long pid = draft_with("boxes", IMAGE_CONFIG, IMAGE_TASKS);
	res r = export_ok(pid, "format=yolo");
	char h[128];
	cr_expect_str_eq(res_header(&r, "Content-Type", h, sizeof h), "application/zip");
	json_t *files = unzip(&r);
	cr_expect_eq(json_object_size(files), 3, "data.yaml and two label files");
	cr_expect(strstr(file_of(files, "data.yaml"), "nc: 3\nnames:\n  0: \"car\"\n  1: \"person\"\n  2: \"road\"\n"),
		  "%s", file_of(files, "data.yaml"));
	/* the car: centre (10 + 25/2, 20 + 50/2)%, the road as its three points;
	 * keypoints are not YOLO detection labels */
	cr_expect_str_eq(file_of(files, "labels/street-1.txt"),
			 "0 0.225000 0.450000 0.250000 0.500000\n"
			 "2 0.000000 0.500000 0.500000 0.500000 0.500000 1.000000\n");
	/* the turned person box spans x 90..100 and y 10..50 of 200 × 100 px */
	cr_expect_str_eq(file_of(files, "labels/street-2.txt"), "1 0.475000 0.300000 0.050000 0.400000\n");
	json_decref(files);
	res_free(&r);

	r = export_ok(pid, "format=voc");
	files = unzip(&r);
	cr_expect_eq(json_object_size(files), 2);
	const char *xml = file_of(files, "Annotations/street-1.xml");
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "street-1.xml", NULL, XML_PARSE_NONET);
	cr_assert(doc, "VOC XML does not parse: %s", xml);
	expect_xpath(doc, "/annotation/filename", "street-1.jpg");
	expect_xpath(doc, "/annotation/size/width", "640");
	expect_xpath(doc, "/annotation/size/height", "480");
	cr_expect_eq(count_nodes(doc, "/annotation/object"), 2, "a box and a polygon; keypoints are not VOC objects");
	expect_xpath(doc, "/annotation/object[1]/name", "car");
	expect_xpath(doc, "/annotation/object[1]/bndbox/xmin", "64");
	expect_xpath(doc, "/annotation/object[1]/bndbox/ymin", "96");
	expect_xpath(doc, "/annotation/object[1]/bndbox/xmax", "224");
	expect_xpath(doc, "/annotation/object[1]/bndbox/ymax", "336");
	expect_xpath(doc, "/annotation/object[2]/name", "road");
	expect_xpath(doc, "/annotation/object[2]/bndbox/xmin", "0");
	expect_xpath(doc, "/annotation/object[2]/bndbox/ymax", "480");
	xmlFreeDoc(doc);
	xml = file_of(files, "Annotations/street-2.xml");
	doc = xmlReadMemory(xml, (int)strlen(xml), "street-2.xml", NULL, XML_PARSE_NONET);
	cr_assert(doc, "VOC XML does not parse: %s", xml);
	expect_xpath(doc, "/annotation/object/name", "person");
	expect_xpath(doc, "/annotation/object/bndbox/xmin", "90");
	expect_xpath(doc, "/annotation/object/bndbox/ymax", "50");
	xmlFreeDoc(doc);
	json_decref(files);
	res_free(&r);
}

Test(export, conll_tags_spans_with_bio)
{
	long long pid = draft_with("ner", NER_CONFIG, NER_TASKS);
	res r = export_ok(pid, "format=conll");
	cr_expect_str_eq(r.body,
			 "Ann B-PER\nLee I-PER\nflew O\nto O\nNew B-LOC\nYork I-LOC\n, O\nthen O\nParis B-LOC\n. O\n\n"
			 /* two adjacent LOC spans stay two entities; the quotes are tokens outside the org */
			 "Rome B-LOC\nMilan B-LOC\n, O\n\" O\nBig B-New_Org\nCo I-New_Org\n\" O\n\n");
	res_free(&r);
}

Test(export, csv_has_a_header_and_quotes_what_needs_it)
{
	long long pid = draft_with("ner", NER_CONFIG, NER_TASKS);
	res r = export_ok(pid, "format=csv");
	char h[128];
	cr_expect(!strncmp(res_header(&r, "Content-Type", h, sizeof h), "text/csv", 8), "%s", h);
	char *save = NULL, *line = strtok_r(r.body, "\n", &save);
	cr_expect_str_eq(line, "task_id,worker_id,status,lead_time,created_at,text,ner,lang\r");
	/* the first row: the text has a comma, so it is quoted; one choice is plain text */
	line = strtok_r(NULL, "\n", &save);
	cr_assert(line);
	cr_expect(strstr(line, ",accepted,0,") != NULL, "%s", line);
	cr_expect(strstr(line, ",\"Ann Lee flew to New York, then Paris.\",") != NULL, "%s", line);
	cr_expect(strstr(line, "\"\"labels\"\":[\"\"PER\"\"]") != NULL, "the spans as JSON, quotes doubled: %s", line);
	size_t n = strlen(line);
	cr_expect(n > 4 && !strcmp(line + n - 4, ",en\r"), "%s", line);
	/* the second: its text holds quotes, which are doubled */
	line = strtok_r(NULL, "\n", &save);
	cr_assert(line);
	cr_expect(strstr(line, ",\"Rome Milan, \"\"Big Co\"\"\",") != NULL, "%s", line);
	cr_expect_null(strtok_r(NULL, "\n", &save), "one row per annotation");
	res_free(&r);
}

/* The annotations of a Label Studio JSON export, without ids, pseudonyms
 * and times, which differ between projects by design. */
static json_t *annotations_of(json_t *tasks)
{
	json_t *out = json_array();
	size_t i, j;
	json_t *t, *a;
	json_array_foreach(tasks, i, t) {
		json_t *anns = json_array();
		json_array_foreach(json_object_get(t, "annotations"), j, a)
			json_array_append_new(anns, json_pack("{s:O,s:O}", "result", json_object_get(a, "result"),
							      "lead_time", json_object_get(a, "lead_time")));
		json_array_append_new(out, json_pack("{s:O,s:O,s:o}", "data", json_object_get(t, "data"), "predictions",
						     json_object_get(t, "predictions"), "annotations", anns));
	}
	return out;
}

Test(export, label_studio_json_imports_back_unchanged)
{
	long long first = draft_with("boxes", IMAGE_CONFIG, IMAGE_TASKS);
	res r = export_ok(first, "format=json");
	cr_assert(json_is_array(r.json), "%s", r.body);
	cr_expect_eq(json_array_size(r.json), 3, "every task, annotated or not");
	cr_expect_str_eq(jstr(r.json, "0.annotations.0.status"), "accepted");
	cr_expect_str_eq(jstr(r.json, "0.annotations.0.completed_by"), jstr(r.json, "0.annotations.0.worker_id"));
	long long second = draft_with("boxes again", IMAGE_CONFIG, NULL);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", second);
	res imp = http(&S, "POST", path, S.req, "application/json", r.body, r.len, NULL);
	cr_assert_eq(imp.status, 201, "our own export imports: %s", imp.body);
	cr_expect_eq(jint(imp.json, "created"), 3);
	res_free(&imp);
	res again = export_ok(second, "format=json");
	json_t *a = annotations_of(r.json), *b = annotations_of(again.json);
	cr_expect(json_equal(a, b), "the round trip changed the annotations:\n%s\n%s", r.body, again.body);
	/* one worker is one pseudonym, but another one in the other project */
	cr_expect_str_neq(jstr(r.json, "0.annotations.0.worker_id"), jstr(again.json, "0.annotations.0.worker_id"));
	json_decref(a);
	json_decref(b);
	res_free(&again);
	res_free(&r);
}

static long long submission_of(long long pid, const char *token, const char *choice)
{
	long long aid = lease_ok(&S, pid, token);
	res r = submit_choice(&S, aid, token, "sentiment", choice, json_integer(3));
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	return sid;
}

static void accept_submission(long long sid)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", sid);
	res r = api(&S, "POST", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
}

Test(export, workers_are_pseudonyms_stable_per_project_and_pending_work_waits)
{
	long long p[2];
	for (int i = 0; i < 2; i++) {
		p[i] = project_live(&S, S.req,
				    json_pack("{s:s,s:s,s:i,s:i}", "title", "sentiment", "label_config",
					      SENTIMENT_CONFIG, "reward", 1, "overlap", 2),
				    "{\"text\":\"one\"}\n{\"text\":\"two\"}\n", 1000);
		/* c1 does both tasks, c2 one; c2's stays pending */
		accept_submission(submission_of(p[i], S.c[0], "pos"));
		accept_submission(submission_of(p[i], S.c[0], "neg"));
		submission_of(p[i], S.c[1], "pos");
	}
	char worker[2][65];
	for (int i = 0; i < 2; i++) {
		res r = export_ok(p[i], "format=json");
		cr_expect_eq(json_array_size(jget(r.json, "0.annotations")), 1, "pending work is left out: %s", r.body);
		cr_expect_eq(json_array_size(jget(r.json, "1.annotations")), 1);
		const char *w0 = jstr(r.json, "0.annotations.0.worker_id"),
			   *w1 = jstr(r.json, "1.annotations.0.worker_id");
		cr_assert(w0 && w1);
		cr_expect_str_eq(w0, w1, "one contributor, one pseudonym within a project");
		snprintf(worker[i], sizeof worker[i], "%s", w0);
		cr_expect_null(strstr(r.body, "@test.local"), "no email in an export: %s", r.body);
		char raw[64];
		snprintf(raw, sizeof raw, "\"completed_by\":%lld", S.c_id[0]);
		cr_expect_null(strstr(r.body, raw), "no raw user id: %s", r.body);
		res_free(&r);
		r = export_ok(p[i], "format=json&status=all");
		size_t n =
			json_array_size(jget(r.json, "0.annotations")) + json_array_size(jget(r.json, "1.annotations"));
		cr_expect_eq(n, 3, "status=all keeps the pending one: %s", r.body);
		cr_expect(strstr(r.body, "\"status\":\"pending\"") != NULL, "%s", r.body);
		res_free(&r);
		r = export_as(p[i], "format=csv", S.req);
		cr_expect(strstr(r.body, worker[i]) != NULL, "the CSV shows the same pseudonym: %s", r.body);
		cr_expect_null(strstr(r.body, "@test.local"));
		res_free(&r);
	}
	cr_expect_str_neq(worker[0], worker[1], "the same contributor is someone else in another project");
}
