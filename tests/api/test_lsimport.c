/* A Label Studio JSON export imports as it is (issue #21): its bookkeeping
 * keys are accepted and ignored, meta and the annotations' times are kept,
 * cancelled annotations are no submissions, keys that are neither ours nor
 * Label Studio's are still refused; and results of every type Label Studio
 * writes import with their task and export back equal. Strings use ' for ";
 * q() swaps them back. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv S;
static void up(void) { suite_with_users(&S, 1); }
static void down(void) { srv_stop(&S); }
TestSuite(lsimport, .init = up, .fini = down, .timeout = 300);

static char *q(const char *s)
{
	char *b = strdup(s);
	cr_assert(b);
	for (char *p = b; *p; p++)
		if (*p == '\'')
			*p = '"';
	return b;
}

static long long project(const char *config)
{
	char *c = q(config);
	long long pid =
		project_create(&S, S.req, json_pack("{s:s,s:s,s:i}", "title", "ls", "label_config", c, "overlap", 2));
	free(c);
	return pid;
}

static res import(long long pid, const char *body)
{
	char path[96], *b = q(body);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	res r = http(&S, "POST", path, S.req, "application/json", b, strlen(b), NULL);
	free(b);
	return r;
}

static res export_json(long long pid)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=json&status=all", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	return r;
}

#define CHOICE_CONFIG \
	"<View><Text name='text' value='$text'/><Choices name='sentiment' toName='text'>" \
	"<Choice value='Positive'/><Choice value='Negative'/></Choices></View>"

/* One task as Label Studio 1.x exports it, bookkeeping and all. */
static const char LS_EXPORT[] =
	"[{'id':812,'annotations':[{'id':1201,'completed_by':{'id':3,'email':'ann@lab.example','first_name':'',"
	"'last_name':''},'result':[{'value':{'choices':['Positive']},'id':'k2Xo_Ua1','from_name':'sentiment',"
	"'to_name':'text','type':'choices','origin':'manual'}],'was_cancelled':false,'ground_truth':false,"
	"'created_at':'2024-03-05T09:10:11.123456Z','updated_at':'2024-03-05T09:12:00.000000Z',"
	"'draft_created_at':null,'lead_time':12.5,'prediction':{},'result_count':0,'unique_id':'3c4d',"
	"'import_id':null,'last_action':null,'task':812,'project':7,'updated_by':3,'parent_prediction':null,"
	"'parent_annotation':null,'last_created_by':null},"
	"{'id':1202,'completed_by':4,'result':[],'was_cancelled':true,'ground_truth':false,"
	"'created_at':'2024-03-05T10:00:00Z','updated_at':'2024-03-05T10:00:00Z','lead_time':3.0,'task':812,"
	"'project':7}],"
	"'file_upload':'d1f0-tasks.json','drafts':[],'predictions':[],'data':{'text':'Great product'},"
	"'meta':{'source':'crawl-2024','batch':3},'created_at':'2024-03-01T08:00:00.000000Z',"
	"'updated_at':'2024-03-05T09:12:00.000000Z','inner_id':1,'total_annotations':1,'cancelled_annotations':1,"
	"'total_predictions':0,'comment_count':0,'unresolved_comment_count':0,'last_comment_updated_at':null,"
	"'project':7,'updated_by':3,'comment_authors':[],'annotators':[3]}]";

Test(lsimport, a_label_studio_export_imports_as_it_is)
{
	long long pid = project(CHOICE_CONFIG);
	res r = import(pid, LS_EXPORT);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 1);
	res_free(&r);
	res e = export_json(pid);
	json_t *t = json_array_get(e.json, 0);
	cr_expect_str_eq(jstr(t, "data.text"), "Great product");
	cr_expect_str_eq(jstr(t, "meta.source"), "crawl-2024", "meta is kept: %s", e.body);
	cr_expect_eq(jint(t, "meta.batch"), 3);
	/* The cancelled annotation was a skip: one submission, with its time. */
	cr_expect_eq(json_array_size(jget(t, "annotations")), 1, "%s", e.body);
	cr_expect_str_eq(jstr(t, "annotations.0.created_at"), "2024-03-05T09:10:11Z");
	cr_expect_str_eq(jstr(t, "annotations.0.result.0.value.choices.0"), "Positive");
	cr_expect_str_eq(jstr(t, "annotations.0.result.0.id"), "k2Xo_Ua1");
	res_free(&e);
}

Test(lsimport, keys_that_are_neither_ours_nor_label_studios_are_refused)
{
	long long pid = project(CHOICE_CONFIG);
	res r = import(pid, "[{'data':{'text':'a'},'inner_id':1},{'data':{'text':'b'},'inner_id':2,'colour':'red'}]");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "unknown_field");
	cr_expect_str_eq(jstr(r.json, "error.field"), "colour");
	const char *m = jstr(r.json, "error.message");
	cr_expect(m && strstr(m, "element 2") && strstr(m, "'colour'"), "%s", m);
	res_free(&r);
	r = import(pid, "[{'data':{'text':'a'},'meta':'crawl'}]");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "meta");
	res_free(&r);
	r = import(pid,
		   "[{'data':{'text':'a'},'annotations':[{'completed_by':'w1','created_at':'last week',"
		   "'result':[{'from_name':'sentiment','to_name':'text','type':'choices','value':{'choices':['Positive']}}]}]}]");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "created_at");
	res_free(&r);
	/* Nothing of the refused imports was stored: all or nothing. */
	res e = export_json(pid);
	cr_expect_eq(json_array_size(e.json), 0, "%s", e.body);
	res_free(&e);
}

/* Every result type, as Label Studio's editor writes it. */
#define ALL_CONFIG \
	"<View><Image name='img' value='$image'/><Text name='text' value='$text'/>" \
	"<List name='list' value='$items'/>" \
	"<RectangleLabels name='rl' toName='img'><Label value='Car'/></RectangleLabels>" \
	"<PolygonLabels name='pl' toName='img'><Label value='Road'/></PolygonLabels>" \
	"<KeyPointLabels name='kl' toName='img'><Label value='Nose'/></KeyPointLabels>" \
	"<EllipseLabels name='el' toName='img'><Label value='Eye'/></EllipseLabels>" \
	"<BrushLabels name='bl' toName='img'><Label value='Sky'/></BrushLabels>" \
	"<Labels name='il' toName='img'><Label value='Printed'/></Labels>" \
	"<Rectangle name='r' toName='img'/><Polygon name='p' toName='img'/><KeyPoint name='k' toName='img'/>" \
	"<Ellipse name='e' toName='img'/><Brush name='b' toName='img'/>" \
	"<OcrLabels name='ol' toName='img'><Label value='Line'/></OcrLabels>" \
	"<TextArea name='tr' toName='img' perRegion='true'/>" \
	"<Labels name='ner' toName='text'><Label value='PER'/></Labels>" \
	"<Relations><Relation value='near'/></Relations>" \
	"<Choices name='ch' toName='text'><Choice value='A'/></Choices>" \
	"<Taxonomy name='tx' toName='text'><Choice value='Animal'><Choice value='Cat'/></Choice></Taxonomy>" \
	"<DateTime name='dt' toName='text' only='date'/><Rating name='ra' toName='text'/>" \
	"<Number name='nu' toName='text'/><TextArea name='note'/>" \
	"<Ranker name='rk' toName='list'><Bucket name='good' title='Good'/></Ranker></View>"

#define IMG "'original_width':2,'original_height':1,'image_rotation':0"
#define RLE "'format':'rle','rle':[0,0,0,8,57,27,252,224,0]"

static const char ALL_RESULT[] =
	"[{'id':'a1','from_name':'rl','to_name':'img','type':'rectanglelabels'," IMG ",'value':{'x':10,'y':20,"
	"'width':30,'height':40,'rotation':0,'rectanglelabels':['Car']}},"
	"{'id':'a2','from_name':'pl','to_name':'img','type':'polygonlabels'," IMG ",'value':{'points':[[1,1],[9,1],"
	"[5,5.5]],'closed':true,'polygonlabels':['Road']}},"
	"{'id':'a3','from_name':'kl','to_name':'img','type':'keypointlabels'," IMG ",'value':{'x':5,'y':6,'width':0.5,"
	"'keypointlabels':['Nose']}},"
	"{'id':'a4','from_name':'el','to_name':'img','type':'ellipselabels'," IMG ",'value':{'x':50,'y':50,'radiusX':5,"
	"'radiusY':3,'rotation':15,'ellipselabels':['Eye']}},"
	"{'id':'a5','from_name':'bl','to_name':'img','type':'brushlabels'," IMG ",'value':{" RLE
	",'brushlabels':['Sky']}},"
	"{'id':'a6','from_name':'r','to_name':'img','type':'rectangle'," IMG ",'value':{'x':1,'y':2,'width':3,'height':4,"
	"'rotation':0}},"
	"{'id':'a6','from_name':'il','to_name':'img','type':'labels'," IMG ",'value':{'x':1,'y':2,'width':3,'height':4,"
	"'rotation':0,'labels':['Printed']}},"
	"{'id':'a6','from_name':'tr','to_name':'img','type':'textarea'," IMG ",'value':{'x':1,'y':2,'width':3,"
	"'height':4,'rotation':0,'text':['Hello world']}},"
	"{'id':'a7','from_name':'p','to_name':'img','type':'polygon'," IMG ",'value':{'points':[[1,1],[2,1],[2,2]]}},"
	"{'id':'a8','from_name':'k','to_name':'img','type':'keypoint'," IMG ",'value':{'x':1,'y':1,'width':1}},"
	"{'id':'a9','from_name':'e','to_name':'img','type':'ellipse'," IMG ",'value':{'x':9,'y':9,'radiusX':1,"
	"'radiusY':1,'rotation':0}},"
	"{'id':'b1','from_name':'b','to_name':'img','type':'brush'," IMG ",'value':{" RLE "}},"
	"{'id':'b2','from_name':'ol','to_name':'img','type':'ocrlabels'," IMG ",'value':{'x':5,'y':5,'width':10,"
	"'height':2,'rotation':0,'ocrlabels':['Line']}},"
	"{'id':'b2','parentID':'b2','from_name':'tr','to_name':'img','type':'textarea','value':{'text':['Total']}},"
	"{'id':'b3','from_name':'ner','to_name':'text','type':'labels','value':{'start':0,'end':3,'text':'Ann',"
	"'labels':['PER']}},"
	"{'from_id':'a1','to_id':'a2','type':'relation','direction':'right','labels':['near']},"
	"{'id':'c1','from_name':'ch','to_name':'text','type':'choices','value':{'choices':['A']}},"
	"{'id':'c2','from_name':'tx','to_name':'text','type':'taxonomy','value':{'taxonomy':[['Animal','Cat'],"
	"['Animal']]}},"
	"{'id':'c3','from_name':'dt','to_name':'text','type':'datetime','value':{'datetime':'2024-02-29'}},"
	"{'id':'c4','from_name':'ra','to_name':'text','type':'rating','value':{'rating':4}},"
	"{'id':'c5','from_name':'nu','to_name':'text','type':'number','value':{'number':2.5}},"
	"{'id':'c6','from_name':'note','type':'textarea','value':{'text':['free text']}},"
	"{'id':'c7','from_name':'rk','to_name':'list','type':'ranker','value':{'ranker':{'good':['x2'],"
	"'_':['x1']}}}]";

Test(lsimport, every_result_type_exports_back_equal)
{
	long long pid = project(ALL_CONFIG);
	size_t n = strlen(ALL_RESULT) + 512;
	char *body = malloc(n);
	snprintf(body, n,
		 "[{'data':{'image':'https://cdn.example/a.png','text':'Ann went home','items':[{'id':'x1',"
		 "'title':'one'},{'id':'x2','title':'two'}]},'annotations':[{'completed_by':'w1','lead_time':9,"
		 "'result':%s}]}]",
		 ALL_RESULT);
	res r = import(pid, body);
	free(body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	res e = export_json(pid);
	char *want_txt = q(ALL_RESULT);
	json_t *want = json_loads(want_txt, 0, NULL);
	free(want_txt);
	cr_assert(want);
	json_t *got = jget(e.json, "0.annotations.0.result");
	cr_expect(json_equal(got, want), "the export changed the results: %s", e.body);
	/* A broken one of each kind is refused with its field. */
	static const char *const broken[][2] = {
		{"'type':'brushlabels'," IMG ",'value':{'format':'rle','rle':[0,0,0,9,57],'brushlabels':['Sky']}",
		 "result[0].value.rle"},
		{"'type':'ellipselabels','value':{'x':50,'y':50,'radiusX':-5,'radiusY':3,'ellipselabels':['Eye']}",
		 "result[0].value.radiusX"},
		{"'type':'taxonomy','value':{'taxonomy':[['Cat']]}", "result[0].value.taxonomy[0][0]"},
		{"'type':'datetime','value':{'datetime':'29/02/2024'}", "result[0].value.datetime"},
		{"'type':'ranker','value':{'ranker':{'good':['x1'],'_':['x1']}}", "result[0].value.ranker._[0]"},
	};
	static const char *const from[] = {"bl", "el", "tx", "dt", "rk"};
	static const char *const to[] = {"img", "img", "text", "text", "list"};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		char task[1024];
		snprintf(task, sizeof task,
			 "[{'data':{'image':'a.png','text':'x','items':[{'id':'x1'}]},'annotations':[{'completed_by':'w2',"
			 "'result':[{'id':'z','from_name':'%s','to_name':'%s',%s}]}]}]",
			 from[i], to[i], broken[i][0]);
		r = import(pid, task);
		cr_expect_eq(r.status, 400, "%s accepted: %s", from[i], r.body);
		cr_expect_str_eq(jstr(r.json, "error.field"), broken[i][1], "%s", r.body);
		res_free(&r);
	}
	json_decref(want);
	res_free(&e);
}

/* A 2x2 mask with its top-right pixel painted, in Label Studio's RLE. */
#define RLE_2X2 "[0,0,0,16,57,27,252,96,17,255,206,0]"

Test(lsimport, brush_masks_export_as_coco_rle)
{
	long long pid = project("<View><Image name='img' value='$image'/><BrushLabels name='m' toName='img'>"
				"<Label value='Sky'/><Label value='Road'/></BrushLabels></View>");
	res r = import(pid,
		       "[{'data':{'image':'https://cdn.example/a.png'},'annotations':[{'completed_by':'w1','result':["
		       "{'id':'m1','from_name':'m','to_name':'img','type':'brushlabels','original_width':2,"
		       "'original_height':2,'value':{'format':'rle','rle':" RLE_2X2 ",'brushlabels':['Road']}}]}]}]");
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=coco", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "categories.1.name"), "Road", "%s", r.body);
	json_t *a = jget(r.json, "annotations.0");
	cr_assert(a, "%s", r.body);
	cr_expect_eq(jint(a, "category_id"), 2);
	/* row-major [0,1,0,0] read down the columns: 0,0 | 1,0 → runs 2,1,1 */
	json_t *want = json_pack("{s:[i,i],s:[i,i,i]}", "size", 2, 2, "counts", 2, 1, 1);
	cr_expect(json_equal(jget(a, "segmentation"), want), "%s", r.body);
	json_decref(want);
	cr_expect_eq(jint(a, "bbox.0"), 1);
	cr_expect_eq(jint(a, "bbox.2"), 1);
	cr_expect_eq(jint(a, "area"), 1);
	res_free(&r);
	/* and the Label Studio JSON keeps the RLE as it came */
	r = export_json(pid);
	cr_expect_eq(jint(r.json, "0.annotations.0.result.0.value.rle.3"), 16);
	cr_expect_eq(json_array_size(jget(r.json, "0.annotations.0.result.0.value.rle")), 12);
	res_free(&r);
}
