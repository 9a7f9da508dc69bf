/* A Label Studio JSON export imports as it is (issue #21): its bookkeeping
 * keys are accepted and ignored, meta and the annotations' times are kept,
 * cancelled annotations are no submissions, keys that are neither ours nor
 * Label Studio's are still refused; and results of every type Label Studio
 * writes import with their task and export back equal. Strings use ' for ";
 * q() swaps them back. */
#include "harness.h"
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <png.h>
#include <sodium.h>
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
	"<Video name='video' value='$video' frameRate='25'/>" \
	"<HyperText name='page' value='$html'/>" \
	"<HyperTextLabels name='htl' toName='page'><Label value='Name'/></HyperTextLabels>" \
	"<TimelineLabels name='tl' toName='video'><Label value='Movement'/><Label value='Still'/></TimelineLabels>" \
	"<Paragraphs name='dlg' value='$dialog' layout='dialogue' textKey='line' nameKey='who'/>" \
	"<ParagraphLabels name='pl2' toName='dlg'><Label value='Ask'/></ParagraphLabels>" \
	"<RectangleLabels name='rl' toName='img'><Label value='Car'/></RectangleLabels>" \
	"<PolygonLabels name='pl' toName='img'><Label value='Road'/></PolygonLabels>" \
	"<KeyPointLabels name='kl' toName='img'><Label value='Nose'/></KeyPointLabels>" \
	"<EllipseLabels name='el' toName='img'><Label value='Eye'/></EllipseLabels>" \
	"<BrushLabels name='bl' toName='img'><Label value='Sky'/></BrushLabels>" \
	"<BitmaskLabels name='bm' toName='img'><Label value='Person'/></BitmaskLabels>" \
	"<Bitmask name='bmt' toName='img'/>" \
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
/* A 2x1 RGBA PNG (one black pixel, one transparent) as Bitmask writes it. */
#define PNG_URL \
	"'imageDataURL':'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAAD0lEQVR4nGNgYGD4D8QMAAUEAQCw" \
	"BUiSAAAAAElFTkSuQmCC'"

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
	"{'id':'d1','from_name':'bm','to_name':'img','type':'bitmasklabels'," IMG ",'value':{" PNG_URL
	",'bitmasklabels':['Person']}},"
	"{'id':'d2','from_name':'bmt','to_name':'img','type':'bitmask'," IMG ",'value':{" PNG_URL "}},"
	"{'id':'b2','from_name':'ol','to_name':'img','type':'ocrlabels'," IMG ",'value':{'x':5,'y':5,'width':10,"
	"'height':2,'rotation':0,'ocrlabels':['Line']}},"
	"{'id':'b2','parentID':'b2','from_name':'tr','to_name':'img','type':'textarea','value':{'text':['Total']}},"
	"{'id':'b3','from_name':'ner','to_name':'text','type':'labels','value':{'start':0,'end':3,'text':'Ann',"
	"'labels':['PER']}},"
	"{'id':'b4','from_name':'pl2','to_name':'dlg','type':'paragraphlabels','value':{'start':0,'end':1,"
	"'startOffset':3,'endOffset':2,'text':'you?\\nOk','paragraphlabels':['Ask']}},"
	"{'from_id':'a1','to_id':'a2','type':'relation','direction':'right','labels':['near']},"
	"{'id':'c1','from_name':'ch','to_name':'text','type':'choices','value':{'choices':['A']}},"
	"{'id':'c2','from_name':'tx','to_name':'text','type':'taxonomy','value':{'taxonomy':[['Animal','Cat'],"
	"['Animal']]}},"
	"{'id':'c3','from_name':'dt','to_name':'text','type':'datetime','value':{'datetime':'2024-02-29'}},"
	"{'id':'c4','from_name':'ra','to_name':'text','type':'rating','value':{'rating':4}},"
	"{'id':'c5','from_name':'nu','to_name':'text','type':'number','value':{'number':2.5}},"
	"{'id':'c6','from_name':'note','type':'textarea','value':{'text':['free text']}},"
	"{'id':'c7','from_name':'rk','to_name':'list','type':'ranker','value':{'ranker':{'good':['x2'],"
	"'_':['x1']}}},"
	"{'id':'c8','from_name':'tl','to_name':'video','type':'timelinelabels','value':{'ranges':[{'start':3,'end':5},"
	"{'start':9,'end':9}],'timelinelabels':['Movement']}},"
	"{'id':'c9','from_name':'htl','to_name':'page','type':'hypertextlabels','value':{'start':'/p[1]/text()[1]',"
	"'end':'/p[1]/b[1]/text()[1]','startOffset':0,'endOffset':7,'globalOffsets':{'start':0,'end':15},"
	"'text':'Ada met Babbage','hypertextlabels':['Name']}}]";

Test(lsimport, every_result_type_exports_back_equal)
{
	long long pid = project(ALL_CONFIG);
	size_t n = strlen(ALL_RESULT) + 512;
	char *body = malloc(n);
	snprintf(body, n,
		 "[{'data':{'image':'https://cdn.example/a.png','video':'https://cdn.example/v.mp4',"
		 "'html':'<p>Ada met <b>Babbage</b></p>','text':'Ann went home','items':[{'id':'x1',"
		 "'title':'one'},{'id':'x2','title':'two'}],'dialog':[{'who':'A','line':'Do you?'},{'who':'B',"
		 "'line':'Ok'}]},'annotations':[{'completed_by':'w1','lead_time':9,"
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
		{"'type':'bitmasklabels'," IMG ",'value':{'imageDataURL':'data:image/png;base64,R0lGODlhAAAA',"
		 "'bitmasklabels':['Person']}",
		 "result[0].value.imageDataURL"},
		{"'type':'ellipselabels','value':{'x':50,'y':50,'radiusX':-5,'radiusY':3,'ellipselabels':['Eye']}",
		 "result[0].value.radiusX"},
		{"'type':'taxonomy','value':{'taxonomy':[['Cat']]}", "result[0].value.taxonomy[0][0]"},
		{"'type':'datetime','value':{'datetime':'29/02/2024'}", "result[0].value.datetime"},
		{"'type':'ranker','value':{'ranker':{'good':['x1'],'_':['x1']}}", "result[0].value.ranker._[0]"},
		{"'type':'paragraphlabels','value':{'start':0,'end':0,'startOffset':0,'endOffset':3,"
		 "'paragraphlabels':['Ask']}",
		 "result[0].value.endOffset"},
		{"'type':'timelinelabels','value':{'ranges':[{'start':5,'end':3}],'timelinelabels':['Still']}",
		 "result[0].value.ranges[0].end"},
		{"'type':'hypertextlabels','value':{'start':'p','end':'/p[1]','startOffset':0,'endOffset':1,"
		 "'hypertextlabels':['Name']}",
		 "result[0].value.start"},
	};
	static const char *const from[] = {"bl", "bm", "el", "tx", "dt", "rk", "pl2", "tl", "htl"};
	static const char *const to[] = {"img", "img", "img", "text", "text", "list", "dlg", "video", "page"};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		char task[1024];
		snprintf(task, sizeof task,
			 "[{'data':{'image':'a.png','video':'v.mp4','html':'<p>x</p>','text':'x','items':[{'id':'x1'}],'dialog':[{'line':'Hi'}]},"
			 "'annotations':[{'completed_by':'w2',"
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

/* Label Studio's RLE of a w×h mask (RGBA, painted pixels 255,0,0,255): runs
 * of a repeated value as run groups, the rest as literal groups; field
 * sizes 3, 4, 8 and 16 bits as Label Studio writes them. Into a JSON array. */
struct bitout {
	unsigned char b[4096];
	size_t pos;
};
static void put_bits(struct bitout *o, uint64_t v, unsigned n)
{
	for (unsigned i = n; i-- > 0; o->pos++) {
		cr_assert(o->pos / 8 < sizeof o->b);
		if (v >> i & 1)
			o->b[o->pos / 8] |= (unsigned char)(0x80 >> (o->pos % 8));
	}
}
static json_t *ls_rle(const char *mask, size_t w, size_t h)
{
	static const unsigned SIZES[4] = {3, 4, 8, 16};
	size_t n = w * h * 4;
	unsigned char *v = malloc(n);
	cr_assert(v);
	for (size_t i = 0; i < n; i++)
		v[i] = mask[i / 4] == '#' && i % 4 != 1 && i % 4 != 2 ? 255 : 0;
	struct bitout o = {{0}, 0};
	put_bits(&o, n, 32);
	put_bits(&o, 7, 5);
	for (int i = 0; i < 4; i++)
		put_bits(&o, SIZES[i] - 1, 4);
	for (size_t i = 0; i < n;) {
		size_t run = 1;
		while (i + run < n && v[i + run] == v[i] && run < 65536)
			run++;
		size_t len = run > 1 ? run : 1; /* a literal group of one value otherwise */
		int cls = len <= 8 ? 0 : len <= 16 ? 1 : len <= 256 ? 2 : 3;
		put_bits(&o, run > 1, 1);
		put_bits(&o, (uint64_t)cls, 2);
		put_bits(&o, len - 1, SIZES[cls]);
		put_bits(&o, v[i], 8);
		i += len;
	}
	free(v);
	json_t *a = json_array();
	for (size_t i = 0; i < (o.pos + 7) / 8; i++)
		json_array_append_new(a, json_integer(o.b[i]));
	return a;
}

/* The bytes of the zip's member called name (NUL-terminated), or NULL. */
static unsigned char *zip_bytes(const res *zip, const char *name, size_t *len)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_zip(a);
	cr_assert_eq(archive_read_open_memory(a, zip->body, zip->len), ARCHIVE_OK);
	struct archive_entry *e;
	unsigned char *bytes = NULL;
	while (!bytes && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), name))
			continue;
		*len = (size_t)archive_entry_size(e);
		bytes = malloc(*len + 1);
		cr_assert(bytes);
		for (size_t got = 0; got < *len;) {
			la_ssize_t k = archive_read_data(a, bytes + got, *len - got);
			cr_assert(k > 0, "%s ends at %zu of %zu bytes", name, got, *len);
			got += (size_t)k;
		}
		bytes[*len] = 0;
	}
	archive_read_free(a);
	return bytes;
}

/* The zip's member called name, decoded as an 8-bit greyscale PNG into a
 * string of '#' (255) and '.' (0), row after row; NULL when absent. */
static char *png_member(const res *zip, const char *name, unsigned *w, unsigned *h)
{
	size_t len = 0;
	unsigned char *bytes = zip_bytes(zip, name, &len);
	if (!bytes)
		return NULL;
	png_image img = {.version = PNG_IMAGE_VERSION};
	cr_assert(png_image_begin_read_from_memory(&img, bytes, len), "%s: %s", name, img.message);
	cr_expect_eq(img.format, PNG_FORMAT_GRAY, "%s is greyscale", name);
	img.format = PNG_FORMAT_GRAY;
	unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
	cr_assert(px && png_image_finish_read(&img, NULL, px, 0, NULL), "%s: %s", name, img.message);
	*w = img.width, *h = img.height;
	char *out = malloc((size_t)img.width * img.height + 1);
	cr_assert(out);
	for (size_t i = 0; i < (size_t)img.width * img.height; i++) {
		cr_expect(px[i] == 0 || px[i] == 255, "%s: pixel %zu is %d", name, i, px[i]);
		out[i] = px[i] ? '#' : '.';
	}
	out[(size_t)img.width * img.height] = 0;
	free(px);
	free(bytes);
	return out;
}

/* Imports tasks (a JSON array, stolen) into the project: 201 or the test fails. */
static void post_tasks(long long pid, json_t *tasks)
{
	char *body = json_dumps(tasks, JSON_COMPACT), path[96];
	json_decref(tasks);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	res r = http(&S, "POST", path, S.req, "application/json", body, strlen(body), NULL);
	free(body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}

Test(lsimport, brush_masks_export_as_png_files)
{
	long long pid = project("<View><Image name='img' value='$image'/><BrushLabels name='m' toName='img'>"
				"<Label value='Sky'/><Label value='Road sign'/></BrushLabels>"
				"<Rectangle name='box' toName='img'/></View>");
	/* two hand-made masks, 13×7, with runs longer than every field size */
	static const char SKY[] = "#############"
				  "#############"
				  "##########..."
				  "......#......"
				  "............."
				  "............."
				  "...........##";
	static const char SIGN[] = "............."
				   "....###......"
				   "...#####....."
				   "...#.#.#....."
				   "....###......"
				   "............."
				   "............#";
	json_t *tasks = json_pack("[{s:{s:s},s:[{s:s,s:[{s:s,s:s,s:s,s:s,s:i,s:i,s:{s:s,s:o,s:[s]}},"
				  "{s:s,s:s,s:s,s:s,s:i,s:i,s:{s:s,s:o,s:[s]}}]}]}]",
				  "data", "image", "https://cdn.example/a.png", "annotations", "completed_by", "w1",
				  "result", "id", "s1", "from_name", "m", "to_name", "img", "type", "brushlabels",
				  "original_width", 13, "original_height", 7, "value", "format", "rle", "rle",
				  ls_rle(SKY, 13, 7), "brushlabels", "Sky", "id", "s2", "from_name", "m", "to_name",
				  "img", "type", "brushlabels", "original_width", 13, "original_height", 7, "value",
				  "format", "rle", "rle", ls_rle(SIGN, 13, 7), "brushlabels", "Road sign");
	post_tasks(pid, tasks);
	char path[160];
	res r;
	/* the names carry the task, the submission, the worker and the label */
	r = export_json(pid);
	long long task = jint(r.json, "0.id"), ann = jint(r.json, "0.annotations.0.id");
	char worker[80];
	snprintf(worker, sizeof worker, "%s", jstr(r.json, "0.annotations.0.completed_by"));
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=brush_png", pid);
	res zip = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(zip.status, 200, "%.300s", zip.body);
	const char *const want[2][2] = {{"Sky", SKY}, {"Road_sign", SIGN}};
	for (int i = 0; i < 2; i++) {
		char name[256];
		unsigned w = 0, h = 0;
		snprintf(name, sizeof name, "task-%lld-annotation-%lld-by-%s-tag-%s-%d.png", task, ann, worker,
			 want[i][0], i);
		char *got = png_member(&zip, name, &w, &h);
		cr_assert(got, "no %s in the zip", name);
		cr_expect(w == 13 && h == 7, "%s is %ux%u", name, w, h);
		cr_expect_str_eq(got, want[i][1], "%s", name);
		free(got);
	}
	res_free(&zip);
	/* a project without brushes cannot have it */
	long long text = project(CHOICE_CONFIG);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=brush_png", text);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "format_unfit", "%s", r.body);
	res_free(&r);
}

/* A w×h mask as Label Studio's Bitmask saves it: an RGBA PNG in a data URL,
 * black where painted ('#', alpha 255), transparent elsewhere ('.'), and a
 * faint stroke edge ('+', alpha 100) that is not in the mask. */
static char *bitmask_url(const char *mask, unsigned w, unsigned h)
{
	unsigned char *px = calloc((size_t)w * h, 4);
	cr_assert(px);
	for (size_t i = 0; i < (size_t)w * h; i++)
		px[4 * i + 3] = mask[i] == '#' ? 255 : mask[i] == '+' ? 100 : 0;
	png_image img = {.version = PNG_IMAGE_VERSION, .width = w, .height = h, .format = PNG_FORMAT_RGBA};
	png_alloc_size_t len = 0;
	cr_assert(png_image_write_to_memory(&img, NULL, &len, 0, px, 0, NULL), "%s", img.message);
	unsigned char *png = malloc(len);
	cr_assert(png && png_image_write_to_memory(&img, png, &len, 0, px, 0, NULL), "%s", img.message);
	size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *url = malloc(sizeof "data:image/png;base64," + b64);
	cr_assert(url);
	strcpy(url, "data:image/png;base64,");
	sodium_bin2base64(url + strlen(url), b64, png, len, sodium_base64_VARIANT_ORIGINAL);
	free(png);
	free(px);
	return url;
}

Test(lsimport, bitmasks_export_as_coco_rle_and_png_files)
{
	long long pid = project("<View><Image name='img' value='$image'/><BitmaskLabels name='bm' toName='img'>"
				"<Label value='Cat'/><Label value='Dog'/></BitmaskLabels></View>");
	static const char CAT[] = "......"
				  "..##.."
				  "..###."
				  "+.....";
	char *url = bitmask_url(CAT, 6, 4);
	json_t *tasks = json_pack("[{s:{s:s},s:[{s:s,s:[{s:s,s:s,s:s,s:s,s:i,s:i,s:{s:s,s:[s]}}]}]}]", "data", "image",
				  "https://cdn.example/a.png", "annotations", "completed_by", "w1", "result", "id",
				  "b1", "from_name", "bm", "to_name", "img", "type", "bitmasklabels", "original_width",
				  6, "original_height", 4, "value", "imageDataURL", url, "bitmasklabels", "Dog");
	free(url);
	post_tasks(pid, tasks);
	char path[160];
	res r;

	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=coco", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "categories.1.name") ?: "", "Dog", "%s", r.body);
	cr_expect_eq(jint(r.json, "images.0.width"), 6, "%s", r.body);
	json_t *a = jget(r.json, "annotations.0");
	cr_assert(a, "the bitmask was dropped: %s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "annotations")), 1, "%s", r.body);
	cr_expect_eq(jint(a, "category_id"), 2, "%s", r.body);
	/* down the columns: 4+4+1 clear, 2 painted, 2 clear, 2 painted, 3 clear, 1 painted, 5 clear */
	json_t *want = json_pack("{s:[i,i],s:[i,i,i,i,i,i,i]}", "size", 4, 6, "counts", 9, 2, 2, 2, 3, 1, 5);
	cr_expect(json_equal(jget(a, "segmentation"), want), "%s", r.body);
	json_decref(want);
	json_t *box = json_pack("[i,i,i,i]", 2, 1, 3, 2);
	cr_expect(json_equal(jget(a, "bbox"), box), "bbox [x,y,w,h]: %s", r.body);
	json_decref(box);
	cr_expect_eq(jint(a, "area"), 5, "%s", r.body);
	res_free(&r);

	/* the PNG files export has it as a greyscale mask of the same pixels */
	r = export_json(pid);
	long long task = jint(r.json, "0.id"), ann = jint(r.json, "0.annotations.0.id");
	char worker[80], name[256];
	snprintf(worker, sizeof worker, "%s", jstr(r.json, "0.annotations.0.completed_by"));
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=brush_png", pid);
	res zip = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(zip.status, 200, "%.300s", zip.body);
	snprintf(name, sizeof name, "task-%lld-annotation-%lld-by-%s-tag-Dog-0.png", task, ann, worker);
	unsigned w = 0, h = 0;
	char *got = png_member(&zip, name, &w, &h);
	cr_assert(got, "no %s in the zip", name);
	cr_expect(w == 6 && h == 4, "%ux%u", w, h);
	cr_expect_str_eq(got, "........##....###.......");
	free(got);
	res_free(&zip);
}

/* Formats with no place for (some) masks say they leave them out: a header
 * on the download and WARNINGS.txt first in an archive; brush_png, which
 * carries them all, says nothing. */
Test(lsimport, formats_without_masks_say_they_leave_them_out)
{
	long long pid = project("<View><Image name='img' value='$image'/><RectangleLabels name='box' toName='img'>"
				"<Label value='Cat'/></RectangleLabels><BitmaskLabels name='bm' toName='img'>"
				"<Label value='Cat'/></BitmaskLabels><Brush name='br' toName='img'/></View>");
	char *url = bitmask_url("##..", 2, 2);
	post_tasks(pid, json_pack("[{s:{s:s},s:[{s:s,s:[{s:s,s:s,s:s,s:s,s:i,s:i,s:{s:s,s:[s]}},"
				  "{s:s,s:s,s:s,s:s,s:i,s:i,s:{s:i,s:i,s:i,s:i,s:[s]}}]}]}]",
				  "data", "image", "https://cdn.example/a.png", "annotations", "completed_by", "w1",
				  "result", "id", "b1", "from_name", "bm", "to_name", "img", "type", "bitmasklabels",
				  "original_width", 2, "original_height", 2, "value", "imageDataURL", url,
				  "bitmasklabels", "Cat", "id", "r1", "from_name", "box", "to_name", "img", "type",
				  "rectanglelabels", "original_width", 2, "original_height", 2, "value", "x", 0, "y", 0,
				  "width", 50, "height", 50, "rectanglelabels", "Cat"));
	free(url);
	static const char WANT[] = "no place for the masks of \"bm\", \"br\": they are left out";
	const char *const formats[] = {"yolo", "voc", "coco", "brush_png"};
	for (int i = 0; i < 4; i++) {
		char path[128];
		snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=%s", pid, formats[i]);
		res r = api(&S, "GET", path, S.req, NULL);
		cr_assert_eq(r.status, 200, "%s: %.300s", formats[i], r.body);
		const char *h = strcasestr(r.headers, "X-Faircrowd-Export-Warning:");
		size_t len = 0;
		unsigned char *txt = i != 2 ? zip_bytes(&r, "WARNINGS.txt", &len) : NULL;
		if (i < 2) {
			cr_expect(h && strstr(h, WANT), "%s: %s", formats[i], r.headers);
			cr_expect(txt && strstr((char *)txt, WANT), "%s: WARNINGS.txt is %s", formats[i],
				  txt ? (char *)txt : "missing");
		} else if (i == 2) { /* COCO has no category for a mask without a label */
			cr_expect(h && strstr(h, "coco export has no place for the masks of \"br\": they are left out"),
				  "%s", r.headers);
		} else {
			cr_expect_null(h, "%s carries masks: %s", formats[i], r.headers);
			cr_expect_null(txt, "%s carries masks", formats[i]);
		}
		free(txt);
		res_free(&r);
	}
}
