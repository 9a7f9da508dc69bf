/* Label Studio's tags and rules beyond the first subset (issue #21): every
 * config here is written in the shape Label Studio's documentation shows,
 * and every result in the shape its editor writes. Strings use ' for " to
 * stay readable; q() swaps them back. */
#include "work/labelconfig.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *q(const char *s)
{
	static char bufs[6][16384];
	static int next;
	char *b = bufs[next++ % 6];
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof bufs[0]; i++)
		b[i] = s[i] == '\'' ? '"' : s[i];
	b[i] = 0;
	return b;
}

static fc_labelconfig *ok(const char *xml)
{
	fc_err err = {0};
	fc_labelconfig *c = NULL;
	xml = q(xml);
	int rc = fc_labelconfig_parse(xml, strlen(xml), &c, &err);
	cr_assert_eq(rc, 0, "parse failed: %s\n%s", err.msg, xml);
	fc_err_clear(&err);
	return c;
}

static void bad(const char *xml, const char *n1, const char *n2)
{
	fc_err err = {0};
	fc_labelconfig *c = NULL;
	xml = q(xml);
	int rc = fc_labelconfig_parse(xml, strlen(xml), &c, &err);
	cr_assert_eq(rc, FC_EINVAL, "accepted: %s", xml);
	cr_assert(strstr(err.msg, q(n1)), "message \"%s\" lacks \"%s\"", err.msg, q(n1));
	cr_assert(!n2 || strstr(err.msg, q(n2)), "message \"%s\" lacks \"%s\"", err.msg, q(n2));
	fc_err_clear(&err);
}

static int run(const fc_labelconfig *c, const char *result, const char *data, fc_err *err)
{
	json_error_t je;
	json_t *r = json_loads(q(result), 0, &je);
	cr_assert_not_null(r, "bad test JSON: %s: %s", je.text, q(result));
	json_t *d = data ? json_loads(q(data), 0, &je) : NULL;
	cr_assert(!data || d, "bad test data: %s", je.text);
	int rc = fc_labelconfig_validate_result(c, r, d, err);
	json_decref(r);
	json_decref(d);
	return rc;
}

static void good(const fc_labelconfig *c, const char *result, const char *data)
{
	fc_err err = {0};
	int rc = run(c, result, data, &err);
	cr_assert_eq(rc, 0, "refused: %s (field %s)\n%s", err.msg, err.field, q(result));
	fc_err_clear(&err);
}

static void wrong(const fc_labelconfig *c, const char *result, const char *data, const char *field)
{
	fc_err err = {0};
	int rc = run(c, result, data, &err);
	cr_assert_eq(rc, FC_EINVAL, "accepted; expected a failure at %s\n%s", field, q(result));
	int found = 0;
	size_t i;
	json_t *d;
	json_array_foreach(err.details, i, d) {
		const char *f = json_string_value(json_object_get(d, "field"));
		found |= f && !strcmp(f, field);
	}
	char *dump = json_dumps(err.details, 0);
	cr_assert(found, "no failure at %s; got %s", field, dump);
	free(dump);
	fc_err_clear(&err);
}

/* ------------------------------------------------------------ rules */

Test(ls_rules, rating_textarea_number_datetime_without_toname)
{
	fc_labelconfig *c = ok("<View><Text name='t' value='$t'/>"
			       "<Rating name='r'/><TextArea name='ta'/><Number name='n'/><DateTime name='d'/></View>");
	good(c,
	     "[{'from_name':'r','type':'rating','value':{'rating':3}},"
	     "{'from_name':'ta','to_name':'t','type':'textarea','value':{'text':['x']}}]",
	     NULL);
	wrong(c, "[{'from_name':'r','type':'rating','value':{'rating':9}}]", NULL, "result[0].value.rating");
	fc_labelconfig_free(c);
	/* Choices still need one: Label Studio refuses them without. */
	bad("<View><Text name='t' value='$t'/><Choices name='c'><Choice value='a'/></Choices></View>",
	    "<Choices name='c'> on line 1 is missing the toName attribute", NULL);
}

Test(ls_rules, dynamic_labels_come_from_the_task)
{
	fc_labelconfig *c = ok("<View><Image name='image' value='$image'/>"
			       "<RectangleLabels name='label' toName='image' value='$labels'/></View>");
	const char *data = "{'image':'a.png','labels':[{'value':'Cat'},{'value':'Dog','background':'red'}]}";
	good(c,
	     "[{'id':'a','from_name':'label','to_name':'image','type':'rectanglelabels',"
	     "'value':{'x':1,'y':1,'width':5,'height':5,'rectanglelabels':['Dog']}}]",
	     data);
	wrong(c,
	      "[{'id':'a','from_name':'label','to_name':'image','type':'rectanglelabels',"
	      "'value':{'x':1,'y':1,'width':5,'height':5,'rectanglelabels':['Cow']}}]",
	      data, "result[0].value.rectanglelabels[0]");
	/* Without the task's data the labels cannot be known: any passes. */
	good(c,
	     "[{'id':'a','from_name':'label','to_name':'image','type':'rectanglelabels',"
	     "'value':{'x':1,'y':1,'width':5,'height':5,'rectanglelabels':['Cow']}}]",
	     NULL);
	json_t *fields = fc_labelconfig_fields(c);
	cr_assert_eq(json_array_size(fields), 2);
	cr_assert_str_eq(json_string_value(json_array_get(fields, 1)), "labels");
	json_decref(fields);
	fc_labelconfig_free(c);
	/* Labels (text spans) too, and a value that is not a field is refused. */
	fc_labelconfig_free(ok("<View><Text name='t' value='$t'/><Labels name='l' toName='t' value='$ents'/></View>"));
	bad("<View><Text name='t' value='$t'/><Labels name='l' toName='t' value='ents'/></View>",
	    "<Labels name='l'> on line 1: attribute value must name a task data field", NULL);
}

Test(ls_rules, visible_when_makes_required_conditional)
{
	fc_labelconfig *c =
		ok("<View><Text name='t' value='$t'/>"
		   "<Choices name='sentiment' toName='t'><Choice value='Positive'/><Choice value='Negative'/></Choices>"
		   "<Choices name='why' toName='t' required='true' visibleWhen='choice-selected'\n"
		   " whenTagName='sentiment' whenChoiceValue='Negative,Neutral'>"
		   "<Choice value='Price'/><Choice value='Quality'/></Choices></View>");
	good(c, "[{'from_name':'sentiment','to_name':'t','type':'choices','value':{'choices':['Positive']}}]", NULL);
	wrong(c, "[{'from_name':'sentiment','to_name':'t','type':'choices','value':{'choices':['Negative']}}]", NULL,
	      "result");
	good(c,
	     "[{'from_name':'sentiment','to_name':'t','type':'choices','value':{'choices':['Negative']}},"
	     "{'from_name':'why','to_name':'t','type':'choices','value':{'choices':['Price']}}]",
	     NULL);
	fc_labelconfig_free(c);
	bad("<View><Text name='t' value='$t'/>\n<Choices name='c' toName='t' visibleWhen='always'><Choice value='a'/></Choices></View>",
	    "<Choices name='c'> on line 2: attribute visibleWhen must be", "'choice-selected'");
}

Test(ls_rules, per_item_answers_name_their_item)
{
	fc_labelconfig *c = ok("<View><Image name='img' valueList='$images'/>"
			       "<Choices name='c' toName='img' perItem='true'><Choice value='ok'/></Choices></View>");
	const char *data = "{'images':['a.png','b.png']}";
	good(c, "[{'from_name':'c','to_name':'img','type':'choices','value':{'choices':['ok'],'item_index':1}}]", data);
	wrong(c, "[{'from_name':'c','to_name':'img','type':'choices','value':{'choices':['ok'],'item_index':2}}]", data,
	      "result[0].value.item_index");
	wrong(c, "[{'from_name':'c','to_name':'img','type':'choices','value':{'choices':['ok'],'item_index':-1}}]",
	      data, "result[0].value.item_index");
	json_t *d = fc_labelconfig_describe(c);
	cr_assert(json_is_true(json_object_get(json_array_get(json_object_get(d, "controls"), 0), "per_item")));
	json_decref(d);
	fc_labelconfig_free(c);
}

/* ------------------------------------------------------------ images */

/* A 2x1 image's mask: 8 zero bytes as one run. */
#define RLE_2X1 "[0,0,0,8,57,27,252,224,0]"
/* The same as 8 literal bytes. */
#define RLE_2X1_LITERAL "[0,0,0,8,57,27,252,96,0,0,0,0,0,0,0,0,0]"

Test(ls_images, brush_masks_in_label_studio_rle)
{
	fc_labelconfig *c = ok("<View><BrushLabels name='tag' toName='img'><Label value='Car'/>"
			       "<Label value='Road'/></BrushLabels><Image name='img' value='$image'/></View>");
	good(c,
	     "[{'id':'m','from_name':'tag','to_name':'img','type':'brushlabels','original_width':2,"
	     "'original_height':1,'image_rotation':0,'value':{'format':'rle','rle':" RLE_2X1 ",'brushlabels':['Car']}}]",
	     NULL);
	good(c,
	     "[{'id':'m','from_name':'tag','to_name':'img','type':'brushlabels','original_width':2,"
	     "'original_height':1,'value':{'format':'rle','rle':" RLE_2X1_LITERAL ",'brushlabels':['Road']}}]",
	     NULL);
	/* The header counts 8 values; a 3x1 image needs 12. */
	wrong(c,
	      "[{'id':'m','from_name':'tag','to_name':'img','type':'brushlabels','original_width':3,"
	      "'original_height':1,'value':{'format':'rle','rle':" RLE_2X1 ",'brushlabels':['Car']}}]",
	      NULL, "result[0].value.rle");
	wrong(c,
	      "[{'id':'m','from_name':'tag','to_name':'img','type':'brushlabels',"
	      "'value':{'format':'rle','rle':[0,0,0,8,57,27,252],'brushlabels':['Car']}}]",
	      NULL, "result[0].value.rle");
	wrong(c,
	      "[{'id':'m','from_name':'tag','to_name':'img','type':'brushlabels',"
	      "'value':{'format':'rle','rle':[0,0,0,8,300],'brushlabels':['Car']}}]",
	      NULL, "result[0].value.rle[4]");
	wrong(c,
	      "[{'id':'m','from_name':'tag','to_name':'img','type':'brushlabels',"
	      "'value':{'format':'png','rle':" RLE_2X1 ",'brushlabels':['Car']}}]",
	      NULL, "result[0].value.format");
	wrong(c,
	      "[{'id':'m','from_name':'tag','to_name':'img','type':'brushlabels',"
	      "'value':{'format':'rle','rle':" RLE_2X1 ",'brushlabels':['Bus']}}]",
	      NULL, "result[0].value.brushlabels[0]");
	fc_labelconfig_free(c);
	/* Brush with separate Labels, as in Label Studio's Brush page. */
	c = ok("<View><Brush name='brush' toName='image'/><Labels name='labels' toName='image'>"
	       "<Label value='Person'/></Labels><Image name='image' value='$image'/></View>");
	good(c,
	     "[{'id':'b','from_name':'brush','to_name':'image','type':'brush','value':{'format':'rle','rle':" RLE_2X1
	     "}},{'id':'b','from_name':'labels','to_name':'image','type':'labels','value':{'format':'rle','rle':" RLE_2X1
	     ",'labels':['Person']}}]",
	     NULL);
	fc_labelconfig_free(c);
	/* MagicWand with Labels, as Label Studio's MagicWand page has it: its
	 * fills are brush masks */
	c = ok("<View><Labels name='labels' toName='image'><Label value='Cloud' background='blue'/></Labels>"
	       "<MagicWand name='magicwand' toName='image' defaultThreshold='20' blurradius='3' opacity='0.5'/>"
	       "<Image name='image' value='$image' crossOrigin='anonymous'/></View>");
	good(c,
	     "[{'id':'w','from_name':'magicwand','to_name':'image','type':'magicwand','original_width':2,"
	     "'original_height':1,'value':{'format':'rle','rle':" RLE_2X1 "}},{'id':'w','from_name':'labels',"
	     "'to_name':'image','type':'labels','value':{'format':'rle','rle':" RLE_2X1 ",'labels':['Cloud']}}]",
	     NULL);
	wrong(c,
	      "[{'id':'w','from_name':'magicwand','to_name':'image','type':'magicwand','original_width':3,"
	      "'original_height':1,'value':{'format':'rle','rle':" RLE_2X1 "}}]",
	      NULL, "result[0].value.rle");
	fc_labelconfig_free(c);
	bad("<View><MagicWand name='w' toName='t'/><Text name='t' value='$text'/></View>", "MagicWand", NULL);
}

/* A 2x1 RGBA PNG: one black pixel, one transparent. */
#define PNG_2X1 \
	"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAAD0lEQVR4nGNgYGD4D8QMAAUEAQCwBUiSAAAAAElFTkSuQmCC"
#define BM(url, rest) \
	"[{'id':'m','from_name':'tag','to_name':'img','type':'bitmasklabels'" rest ",'value':{'imageDataURL':'" url \
	"','bitmasklabels':['Person']}}]"

Test(ls_images, bitmask_png_data_urls)
{
	fc_labelconfig *c = ok("<View><BitmaskLabels name='tag' toName='img' choice='single' maxUsages='3' "
			       "showInline='true'><Label value='Person'/><Label value='Animal'/></BitmaskLabels>"
			       "<Image name='img' value='$image' smoothing='false'/></View>");
	good(c, BM(PNG_2X1, ",'original_width':2,'original_height':1,'image_rotation':0"), NULL);
	good(c, BM(PNG_2X1, ""), NULL);
	wrong(c, BM("data:image/jpeg;base64,iVBORw0KGgo=", ""), NULL, "result[0].value.imageDataURL");
	wrong(c, BM("data:image/png;base64,iVBOR*w0KGgo", ""), NULL, "result[0].value.imageDataURL");
	/* Base64 of a GIF header: decodes, but is no PNG. */
	wrong(c, BM("data:image/png;base64,R0lGODlhAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""), NULL,
	      "result[0].value.imageDataURL");
	wrong(c, BM(PNG_2X1, ",'original_width':0,'original_height':1"), NULL, "result[0].original_width");
	wrong(c, BM(PNG_2X1, ",'original_width':2,'original_height':'1'"), NULL, "result[0].original_height");
	wrong(c,
	      "[{'id':'m','from_name':'tag','to_name':'img','type':'bitmasklabels','value':{'imageDataURL':5,"
	      "'bitmasklabels':['Person']}}]",
	      NULL, "result[0].value.imageDataURL");
	wrong(c,
	      "[{'id':'m','from_name':'tag','to_name':'img','type':'bitmasklabels','value':{'bitmasklabels':['Person']}}]",
	      NULL, "result[0].value.imageDataURL");
	wrong(c,
	      "[{'id':'m','from_name':'tag','to_name':'img','type':'bitmasklabels','value':{'imageDataURL':'" PNG_2X1
	      "','bitmasklabels':['Bus']}}]",
	      NULL, "result[0].value.bitmasklabels[0]");
	fc_labelconfig_free(c);
	/* Bitmask without labels of its own, named by a Labels on the same image. */
	c = ok("<View><Bitmask name='mask' toName='image'/><Labels name='labels' toName='image'>"
	       "<Label value='Person'/></Labels><Image name='image' value='$image'/></View>");
	good(c,
	     "[{'id':'b','from_name':'mask','to_name':'image','type':'bitmask','value':{'imageDataURL':'" PNG_2X1
	     "'}},{'id':'b','from_name':'labels','to_name':'image','type':'labels','value':{'imageDataURL':'" PNG_2X1
	     "','labels':['Person']}}]",
	     NULL);
	wrong(c, "[{'id':'b','from_name':'mask','to_name':'image','type':'bitmask','value':{'imageDataURL':'data:,x'}}]",
	      NULL, "result[0].value.imageDataURL");
	fc_labelconfig_free(c);
	bad("<View><BitmaskLabels name='b' toName='t'><Label value='x'/></BitmaskLabels>"
	    "<Text name='t' value='$text'/></View>",
	    "BitmaskLabels", "toName");
	bad("<View><Bitmask name='b' toName='t'/><Text name='t' value='$text'/></View>", "Bitmask", "toName");
	bad("<View><BitmaskLabels name='b' toName='img'/><Image name='img' value='$image'/></View>", "BitmaskLabels",
	    NULL);
}

Test(ls_images, ellipses)
{
	fc_labelconfig *c = ok("<View><Image name='image' value='$image'/><EllipseLabels name='tag' toName='image'>"
			       "<Label value='Eye'/></EllipseLabels><Ellipse name='e' toName='image'/></View>");
	good(c,
	     "[{'id':'a','from_name':'tag','to_name':'image','type':'ellipselabels','original_width':1920,"
	     "'original_height':1280,'image_rotation':0,'value':{'x':50,'y':40,'radiusX':10,'radiusY':5,'rotation':30,"
	     "'ellipselabels':['Eye']}},"
	     "{'id':'b','from_name':'e','to_name':'image','type':'ellipse','value':{'x':5,'y':5,'radiusX':1,'radiusY':1}}]",
	     NULL);
	wrong(c,
	      "[{'id':'a','from_name':'tag','to_name':'image','type':'ellipselabels','value':{'x':50,'y':40,"
	      "'radiusX':0,'radiusY':5,'ellipselabels':['Eye']}}]",
	      NULL, "result[0].value.radiusX");
	wrong(c,
	      "[{'id':'a','from_name':'tag','to_name':'image','type':'ellipselabels','value':{'x':150,'y':40,"
	      "'radiusX':1,'radiusY':5,'ellipselabels':['Eye']}}]",
	      NULL, "result[0].value.x");
	wrong(c,
	      "[{'id':'a','from_name':'e','to_name':'image','type':'ellipse','value':{'x':1,'y':1,"
	      "'radiusX':1,'radiusY':5,'rotation':'left'}}]",
	      NULL, "result[0].value.rotation");
	fc_labelconfig_free(c);
}

Test(ls_images, polygon_and_keypoint_without_labels)
{
	fc_labelconfig *c = ok("<View><Image name='img' value='$image'/><Polygon name='poly' toName='img'/>"
			       "<KeyPoint name='kp' toName='img'/><Rectangle name='box' toName='img'/></View>");
	good(c,
	     "[{'id':'p','from_name':'poly','to_name':'img','type':'polygon','value':{'points':[[1,1],[5,1],[3,4]]}},"
	     "{'id':'k','from_name':'kp','to_name':'img','type':'keypoint','value':{'x':3,'y':3,'width':1}},"
	     "{'id':'r','from_name':'box','to_name':'img','type':'rectangle','value':{'x':3,'y':3,'width':1,'height':2}}]",
	     NULL);
	wrong(c, "[{'id':'p','from_name':'poly','to_name':'img','type':'polygon','value':{'points':[[1,1],[5,1]]}}]",
	      NULL, "result[0].value.points");
	wrong(c, "[{'id':'p','from_name':'poly','to_name':'img','type':'polygonlabels','value':{'points':[[1,1]]}}]",
	      NULL, "result[0].type");
	fc_labelconfig_free(c);
}

/* Label Studio's OCR template: unlabelled shapes, Labels naming them and a
 * per-region TextArea, three items sharing the region's id. */
Test(ls_images, ocr_regions_with_their_text)
{
	fc_labelconfig *c = ok("<View>\n  <Image name='image' value='$ocr'/>\n"
			       "  <Labels name='label' toName='image'>\n"
			       "    <Label value='Text' background='green'/>\n"
			       "    <Label value='Handwriting' background='blue'/>\n  </Labels>\n"
			       "  <Rectangle name='bbox' toName='image' strokeWidth='3'/>\n"
			       "  <Polygon name='poly' toName='image' strokeWidth='3'/>\n"
			       "  <TextArea name='transcription' toName='image' editable='true' perRegion='true'"
			       " required='true' maxSubmissions='1' rows='5' placeholder='Recognized Text'"
			       " displayMode='region-list'/>\n</View>");
	const char *box = "'x':10,'y':10,'width':20,'height':5,'rotation':0";
	char r[2048];
	snprintf(r, sizeof r,
		 "[{'id':'r1','from_name':'bbox','to_name':'image','type':'rectangle','original_width':800,"
		 "'original_height':600,'image_rotation':0,'value':{%s}},"
		 "{'id':'r1','from_name':'label','to_name':'image','type':'labels','value':{%s,'labels':['Text']}},"
		 "{'id':'r1','from_name':'transcription','to_name':'image','type':'textarea','value':{%s,'text':['Hello']}},"
		 "{'id':'p1','from_name':'poly','to_name':'image','type':'polygon','value':{'points':[[1,1],[9,1],[5,5]]}},"
		 "{'id':'p1','from_name':'transcription','to_name':'image','type':'textarea','value':{'text':['Hi']}}]",
		 box, box, box);
	good(c, r, NULL);
	/* The polygon's text missing: the TextArea is required per region. */
	snprintf(r, sizeof r,
		 "[{'id':'r1','from_name':'bbox','to_name':'image','type':'rectangle','value':{%s}},"
		 "{'id':'r1','from_name':'transcription','to_name':'image','type':'textarea','value':{'text':['Hello']}},"
		 "{'id':'p1','from_name':'poly','to_name':'image','type':'polygon','value':{'points':[[1,1],[9,1],[5,5]]}}]",
		 box);
	wrong(c, r, NULL, "result[2]");
	/* Text for a region that is not there. */
	wrong(c, "[{'id':'zz','from_name':'transcription','to_name':'image','type':'textarea','value':{'text':['a']}}]",
	      NULL, "result[0].id");
	/* parentID is Label Studio's other way to name the region. */
	snprintf(r, sizeof r,
		 "[{'id':'r1','from_name':'bbox','to_name':'image','type':'rectangle','value':{%s}},"
		 "{'id':'t9','parentID':'r1','from_name':'transcription','to_name':'image','type':'textarea',"
		 "'value':{'text':['Hello']}}]",
		 box);
	good(c, r, NULL);
	wrong(c,
	      "[{'id':'t9','parentID':'nope','from_name':'transcription','to_name':'image','type':'textarea',"
	      "'value':{'text':['Hello']}}]",
	      NULL, "result[0].parentID");
	fc_labelconfig_free(c);
	/* OcrLabels: labelled boxes or polygons. */
	c = ok("<View><Image name='image' value='$ocr'/><OcrLabels name='ocr' toName='image'><Label value='Line'/>"
	       "</OcrLabels><TextArea name='text' toName='image' perRegion='true'/></View>");
	good(c,
	     "[{'id':'a','from_name':'ocr','to_name':'image','type':'ocrlabels','value':{'x':1,'y':1,'width':5,"
	     "'height':5,'ocrlabels':['Line']}},{'id':'a','from_name':'text','to_name':'image','type':'textarea',"
	     "'value':{'text':['Total 12.00']}}]",
	     NULL);
	fc_labelconfig_free(c);
}

/* ------------------------------------------------------------ classification */

Test(ls_classify, taxonomy_paths)
{
	fc_labelconfig *c = ok("<View><Text name='text' value='$text'/>\n<Taxonomy name='taxonomy' toName='text'>\n"
			       "<Choice value='Archaea'/><Choice value='Bacteria'/>\n<Choice value='Eukarya'>\n"
			       "<Choice value='Human'/><Choice value='Opossum'/><Choice value='Other'/></Choice>\n"
			       "<Choice value='Viruses'><Choice value='Other'/></Choice></Taxonomy></View>");
	good(c,
	     "[{'from_name':'taxonomy','to_name':'text','type':'taxonomy','value':{'taxonomy':[['Eukarya','Human'],"
	     "['Archaea'],['Viruses','Other'],['Eukarya']]}}]",
	     NULL);
	wrong(c, "[{'from_name':'taxonomy','to_name':'text','type':'taxonomy','value':{'taxonomy':[['Human']]}}]", NULL,
	      "result[0].value.taxonomy[0][0]");
	wrong(c,
	      "[{'from_name':'taxonomy','to_name':'text','type':'taxonomy','value':{'taxonomy':[['Bacteria','Human']]}}]",
	      NULL, "result[0].value.taxonomy[0][1]");
	wrong(c, "[{'from_name':'taxonomy','to_name':'text','type':'taxonomy','value':{'taxonomy':[[]]}}]", NULL,
	      "result[0].value.taxonomy[0]");
	wrong(c, "[{'from_name':'taxonomy','to_name':'text','type':'taxonomy','value':{'taxonomy':['Archaea']}}]", NULL,
	      "result[0].value.taxonomy[0]");
	fc_labelconfig_free(c);
	c = ok("<View><Text name='text' value='$text'/><Taxonomy name='tx' toName='text' leafsOnly='true'>"
	       "<Choice value='A'><Choice value='A1'/></Choice></Taxonomy></View>");
	good(c, "[{'from_name':'tx','to_name':'text','type':'taxonomy','value':{'taxonomy':[['A','A1']]}}]", NULL);
	wrong(c, "[{'from_name':'tx','to_name':'text','type':'taxonomy','value':{'taxonomy':[['A']]}}]", NULL,
	      "result[0].value.taxonomy[0]");
	fc_labelconfig_free(c);
	/* A taxonomy from the task: [{value, children}]. */
	c = ok("<View><Text name='text' value='$text'/><Taxonomy name='tx' toName='text' value='$tree'/></View>");
	const char *data = "{'text':'x','tree':[{'value':'A','children':[{'value':'A1'}]},{'value':'B'}]}";
	good(c, "[{'from_name':'tx','to_name':'text','type':'taxonomy','value':{'taxonomy':[['A','A1'],['B']]}}]", data);
	wrong(c, "[{'from_name':'tx','to_name':'text','type':'taxonomy','value':{'taxonomy':[['B','A1']]}}]", data,
	      "result[0].value.taxonomy[0][1]");
	fc_labelconfig_free(c);
	/* apiUrl: the tree lives elsewhere, no children needed. */
	fc_labelconfig_free(ok(
		"<View><Text name='text' value='$text'/><Taxonomy name='tx' toName='text' apiUrl='https://x/t.json'/></View>"));
	bad("<View><Text name='text' value='$text'/><Taxonomy name='tx' toName='text'/></View>", "<Taxonomy name='tx'>",
	    "no <Choice> children");
}

Test(ls_classify, datetime)
{
	fc_labelconfig *c = ok("<View><Text name='txt' value='$text'/>"
			       "<DateTime name='dt' toName='txt'/>"
			       "<DateTime name='d' toName='txt' only='date' min='2020-01-01' max='2030-12-31'/>"
			       "<DateTime name='y' toName='txt' only='year'/>"
			       "<DateTime name='t' toName='txt' only='time'/>"
			       "<DateTime name='f' toName='txt' only='date' format='%d.%m.%Y'/></View>");
	good(c,
	     "[{'from_name':'dt','to_name':'txt','type':'datetime','value':{'datetime':'2024-05-01T10:30'}},"
	     "{'from_name':'d','to_name':'txt','type':'datetime','value':{'datetime':'2024-05-01'}},"
	     "{'from_name':'y','to_name':'txt','type':'datetime','value':{'datetime':'2024'}},"
	     "{'from_name':'t','to_name':'txt','type':'datetime','value':{'datetime':'10:30'}},"
	     "{'from_name':'f','to_name':'txt','type':'datetime','value':{'datetime':'01.05.2024'}}]",
	     NULL);
	wrong(c, "[{'from_name':'d','to_name':'txt','type':'datetime','value':{'datetime':'10:30'}}]", NULL,
	      "result[0].value.datetime");
	wrong(c, "[{'from_name':'d','to_name':'txt','type':'datetime','value':{'datetime':'2019-12-31'}}]", NULL,
	      "result[0].value.datetime");
	wrong(c, "[{'from_name':'dt','to_name':'txt','type':'datetime','value':{'datetime':'May 1st'}}]", NULL,
	      "result[0].value.datetime");
	wrong(c, "[{'from_name':'dt','to_name':'txt','type':'datetime','value':{'datetime':5}}]", NULL,
	      "result[0].value.datetime");
	fc_labelconfig_free(c);
	bad("<View><Text name='txt' value='$text'/>\n\n<DateTime name='dt' toName='txt' only='week'/></View>",
	    "<DateTime name='dt'> on line 3: attribute only must be", NULL);
}

Test(ls_classify, ranker_buckets)
{
	fc_labelconfig *c = ok("<View><List name='results' value='$items' title='Search Results'/>"
			       "<Ranker name='rank' toName='results'><Bucket name='relevant' title='Relevant'/>"
			       "<Bucket name='biased' title='Biased'/></Ranker></View>");
	const char *data = "{'items':[{'id':'blog','title':'a'},{'id':'mdn','title':'b'},{'id':'wiki','title':'c'}]}";
	good(c,
	     "[{'from_name':'rank','to_name':'results','type':'ranker','value':{'ranker':{'relevant':['mdn','blog'],"
	     "'biased':[],'_':['wiki']}}}]",
	     data);
	wrong(c,
	      "[{'from_name':'rank','to_name':'results','type':'ranker','value':{'ranker':{'relevant':['mdn'],"
	      "'biased':['mdn']}}}]",
	      data, "result[0].value.ranker.biased[0]");
	wrong(c, "[{'from_name':'rank','to_name':'results','type':'ranker','value':{'ranker':{'fun':['mdn']}}}]", data,
	      "result[0].value.ranker.fun");
	fc_labelconfig_free(c);
}

/* ------------------------------------------------------------ objects */

Test(ls_objects, table_markdown_pdf_chat_are_objects)
{
	fc_labelconfig *c = ok("<View><Header value='Review the record'/><Table name='table' value='$record'/>"
			       "<Markdown name='md' value='$notes'/><Pdf name='pdf' value='$pdf'/>"
			       "<Chat name='chat' value='$messages'/>"
			       "<Choices name='ok' toName='table'><Choice value='Valid'/></Choices>"
			       "<Choices name='pdfc' toName='pdf'><Choice value='Invoice'/></Choices>"
			       "<Rating name='turn' toName='chat' perItem='true'/></View>");
	json_t *f = fc_labelconfig_fields(c);
	json_t *want = json_pack("[s,s,s,s]", "record", "notes", "pdf", "messages");
	cr_assert(json_equal(f, want));
	json_decref(f);
	json_decref(want);
	const char *data = "{'record':{'a':1},'notes':'# x','pdf':'a.pdf','messages':[{'role':'user','content':'hi'},"
			   "{'role':'assistant','content':'hello'}]}";
	good(c, "[{'from_name':'turn','to_name':'chat','type':'rating','value':{'rating':4,'item_index':1}}]", data);
	wrong(c, "[{'from_name':'turn','to_name':'chat','type':'rating','value':{'rating':4,'item_index':2}}]", data,
	      "result[0].value.item_index");
	fc_labelconfig_free(c);
}

Test(ls_objects, repeater_over_pages)
{
	fc_labelconfig *c = ok("<View>\n<Repeater on='$pages' indexFlag='{{idx}}' mode='pagination'>\n"
			       "  <Image name='page_{{idx}}' value='$pages[{{idx}}].url'/>\n"
			       "  <Header value='Utterance Review {{idx}}'/>\n"
			       "  <RectangleLabels name='labels_{{idx}}' toName='page_{{idx}}'>\n"
			       "    <Label value='Document Title'/><Label value='Document Date'/>\n"
			       "  </RectangleLabels>\n</Repeater>\n</View>");
	json_t *f = fc_labelconfig_fields(c);
	cr_assert_eq(json_array_size(f), 1);
	cr_assert_str_eq(json_string_value(json_array_get(f, 0)), "pages");
	json_decref(f);
	const char *data = "{'pages':[{'url':'p0.png'},{'url':'p1.png'}]}";
	good(c,
	     "[{'id':'a','from_name':'labels_1','to_name':'page_1','type':'rectanglelabels','value':{'x':1,'y':1,"
	     "'width':2,'height':2,'rectanglelabels':['Document Date']}}]",
	     data);
	wrong(c,
	      "[{'id':'a','from_name':'labels_2','to_name':'page_2','type':'rectanglelabels','value':{'x':1,'y':1,"
	      "'width':2,'height':2,'rectanglelabels':['Document Date']}}]",
	      data, "result[0].from_name");
	wrong(c,
	      "[{'id':'a','from_name':'labels_x','to_name':'page_1','type':'rectanglelabels','value':{'x':1,'y':1,"
	      "'width':2,'height':2,'rectanglelabels':['Document Date']}}]",
	      data, "result[0].from_name");
	wrong(c,
	      "[{'id':'a','from_name':'labels_0','to_name':'page_x','type':'rectanglelabels','value':{'x':1,'y':1,"
	      "'width':2,'height':2,'rectanglelabels':['Document Date']}}]",
	      data, "result[0].to_name");
	fc_labelconfig_free(c);
	/* The default flag is {{idx}}. */
	fc_labelconfig_free(
		ok("<View><Repeater on='$pages'><Text name='t_{{idx}}' value='$pages[{{idx}}]'/>"
		   "<Choices name='c_{{idx}}' toName='t_{{idx}}'><Choice value='a'/></Choices></Repeater></View>"));
	bad("<View>\n<Repeater indexFlag='{{i}}'><Text name='t' value='$t'/></Repeater></View>",
	    "<Repeater> on line 2 is missing the on attribute", NULL);
	bad("<View><Repeater on='pages'><Text name='t' value='$t'/></Repeater></View>",
	    "attribute on must name a task data list", NULL);
	bad("<View><Repeater on='$pages'><Image name='p_{{idx}}' value='$pages[{{idx}}]'/></Repeater>"
	    "<Choices name='c' toName='p_{{idx}}'><Choice value='a'/></Choices></View>",
	    "is inside a <Repeater>, so the control must be too", NULL);
}

/* Every new result type goes through the check unchanged and a copy of it
 * (as an export writes it back) passes again: the check keeps nothing of
 * its own in the result. */
Test(ls_objects, results_are_not_modified_by_the_check)
{
	fc_labelconfig *c = ok("<View><Image name='img' value='$image'/><BrushLabels name='b' toName='img'>"
			       "<Label value='Car'/></BrushLabels><EllipseLabels name='e' toName='img'>"
			       "<Label value='Eye'/></EllipseLabels><Taxonomy name='tx' toName='img'>"
			       "<Choice value='A'/></Taxonomy><DateTime name='dt' toName='img' only='date'/></View>");
	const char *r =
		"[{'id':'m','from_name':'b','to_name':'img','type':'brushlabels','original_width':2,"
		"'original_height':1,'image_rotation':0,'value':{'format':'rle','rle':" RLE_2X1
		",'brushlabels':['Car']}},{'id':'e','from_name':'e','to_name':'img','type':'ellipselabels',"
		"'value':{'x':5,'y':5,'radiusX':1,'radiusY':2,'rotation':0,'ellipselabels':['Eye']}},"
		"{'id':'t','from_name':'tx','to_name':'img','type':'taxonomy','value':{'taxonomy':[['A']]}},"
		"{'id':'d','from_name':'dt','to_name':'img','type':'datetime','value':{'datetime':'2024-01-02'}}]";
	json_t *j = json_loads(q(r), 0, NULL), *copy = json_deep_copy(j);
	fc_err err = {0};
	cr_assert_eq(fc_labelconfig_validate_result(c, j, NULL, &err), 0, "%s", err.msg);
	cr_assert(json_equal(j, copy));
	json_decref(j);
	json_decref(copy);
	fc_labelconfig_free(c);
}

/* ------------------------------------------------------------ time series */

/* Label Studio's TimeSeries: channels of a table over time; ranges and
 * instants in the time column's units; inside the data when the task holds it. */
Test(ls_objects, time_series_channels_ranges_and_instants)
{
	bad("<View><TimeSeries name='ts' value='$ts' valueType='json' timeColumn='time'/></View>", "<TimeSeries>",
	    "<Channel");
	bad("<View><TimeSeries name='ts' value='$ts'><Channel legend='x'/></TimeSeries></View>", "<Channel>", "column");
	bad("<View><Channel column='x'/></View>", "<Channel>", "<TimeSeries>");
	bad("<View><TimeSeries name='ts' value='$ts'><Label value='x'/></TimeSeries></View>", "cannot contain",
	    "<Label>");
	bad("<View><Text name='t' value='$t'/><TimeSeriesLabels name='l' toName='t'><Label value='Run'/>"
	    "</TimeSeriesLabels></View>",
	    "TimeSeriesLabels", "TimeSeries");
	fc_labelconfig *c =
		ok("<View><TimeSeriesLabels name='label' toName='ts'><Label value='Run'/><Label value='Walk'/>"
		   "</TimeSeriesLabels>"
		   "<TimeSeries name='ts' value='$ts' valueType='json' timeColumn='time' sep=','>"
		   "<Channel column='x' legend='X' strokeColor='#1f77b4'/><Channel column='y'/></TimeSeries>"
		   "<Choices name='ok' toName='ts'><Choice value='Clean'/></Choices></View>");
	const char *data = "{'ts':{'time':[0.5,1,1.5,2,2.5],'x':[1,2,3,4,5],'y':[5,4,3,2,1]}}";
	good(c,
	     "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':0.5,'end':2,"
	     "'instant':false,'timeserieslabels':['Run']}},"
	     "{'id':'b','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':2.5,'end':2.5,"
	     "'instant':true,'timeserieslabels':['Walk']}}]",
	     data);
	/* past the end, before the start, backwards, an instant with two times, no label, not a time */
	wrong(c,
	      "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':1,'end':3,"
	      "'timeserieslabels':['Run']}}]",
	      data, "result[0].value.end");
	wrong(c,
	      "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':0,'end':1,"
	      "'timeserieslabels':['Run']}}]",
	      data, "result[0].value.start");
	wrong(c,
	      "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':2,'end':1,"
	      "'timeserieslabels':['Run']}}]",
	      data, "result[0].value.end");
	wrong(c,
	      "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':1,'end':2,"
	      "'instant':true,'timeserieslabels':['Run']}}]",
	      data, "result[0].value.end");
	wrong(c,
	      "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':1,'end':2,"
	      "'timeserieslabels':['Swim']}}]",
	      data, "result[0].value.timeserieslabels[0]");
	wrong(c,
	      "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':[1],'end':2,"
	      "'timeserieslabels':['Run']}}]",
	      data, "result[0].value.start");
	fc_labelconfig_free(c);
	/* without a time column rows count from 0; dates as text are not compared; a URL is not fetched */
	c = ok("<View><TimeSeries name='ts' value='$ts' valueType='json'><Channel column='x'/></TimeSeries>"
	       "<TimeSeriesLabels name='label' toName='ts'><Label value='Run'/></TimeSeriesLabels></View>");
	good(c,
	     "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':0,'end':2,"
	     "'timeserieslabels':['Run']}}]",
	     "{'ts':{'x':[1,2,3]}}");
	wrong(c,
	      "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':0,'end':3,"
	      "'timeserieslabels':['Run']}}]",
	      "{'ts':{'x':[1,2,3]}}", "result[0].value.end");
	fc_labelconfig_free(c);
	c = ok("<View><TimeSeries name='ts' value='$csv' timeColumn='date' timeFormat='%Y-%m-%d'>"
	       "<Channel column='v'/></TimeSeries>"
	       "<TimeSeriesLabels name='label' toName='ts'><Label value='Run'/></TimeSeriesLabels></View>");
	good(c,
	     "[{'id':'a','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':'2024-01-01',"
	     "'end':'2024-02-01','timeserieslabels':['Run']}},"
	     "{'id':'b','from_name':'label','to_name':'ts','type':'timeserieslabels','value':{'start':5,'end':1e9,"
	     "'timeserieslabels':['Run']}}]",
	     "{'csv':'/data/walk.csv'}");
	fc_labelconfig_free(c);
}

/* HyperTextLabels: start and end are XPaths of text nodes inside the
 * HyperText, offsets inside them, labels under "hypertextlabels" (as Label
 * Studio documents them) or "htmllabels" (as its older editors wrote them). */
Test(ls_objects, hypertextlabels_xpath_ranges)
{
	fc_labelconfig *c = ok("<View><HyperTextLabels name='ner' toName='text'><Label value='Person'/>"
			       "<Label value='Place'/></HyperTextLabels><HyperText name='text' value='$html'/></View>");
	const char *data = "{'html':'<p>Ada met <b>Babbage</b> in London</p>'}";
#define HT(v) "[{'id':'h','from_name':'ner','to_name':'text','type':'hypertextlabels','value':" v "}]"
	good(c,
	     HT("{'start':'/p[1]/text()[1]','end':'/p[1]/b[1]/text()[1]','startOffset':0,'endOffset':7,"
		"'globalOffsets':{'start':0,'end':15},'text':'Ada met Babbage','hypertextlabels':['Person']}"),
	     data);
	good(c,
	     HT("{'start':'/p[1]/text()[2]','end':'/p[1]/text()[2]','startOffset':4,'endOffset':10,"
		"'htmllabels':['Place']}"),
	     data);
	/* not XPaths, offsets that are not whole numbers 0 or more, text not text, a foreign label, no label */
	wrong(c, HT("{'start':3,'end':'/p[1]/text()[1]','startOffset':0,'endOffset':1,'hypertextlabels':['Place']}"),
	      data, "result[0].value.start");
	wrong(c, HT("{'start':'p[1]','end':'/p[1]/text()[1]','startOffset':0,'endOffset':1,'hypertextlabels':['Place']}"),
	      data, "result[0].value.start");
	wrong(c, HT("{'start':'/p[1]/text()[1]','startOffset':0,'endOffset':1,'hypertextlabels':['Place']}"), data,
	      "result[0].value.end");
	wrong(c,
	      HT("{'start':'/p[1]/text()[1]','end':'/p[1]/text()[1]','startOffset':0,'endOffset':-1,"
		 "'hypertextlabels':['Place']}"),
	      data, "result[0].value.endOffset");
	wrong(c,
	      HT("{'start':'/p[1]/text()[1]','end':'/p[1]/text()[1]','startOffset':0.5,'endOffset':1,"
		 "'hypertextlabels':['Place']}"),
	      data, "result[0].value.startOffset");
	wrong(c,
	      HT("{'start':'/p[1]/text()[1]','end':'/p[1]/text()[1]','startOffset':0,'endOffset':1,'text':7,"
		 "'hypertextlabels':['Place']}"),
	      data, "result[0].value.text");
	wrong(c,
	      HT("{'start':'/p[1]/text()[1]','end':'/p[1]/text()[1]','startOffset':0,'endOffset':1,"
		 "'hypertextlabels':['Car']}"),
	      data, "result[0].value.hypertextlabels[0]");
	wrong(c, HT("{'start':'/p[1]/text()[1]','end':'/p[1]/text()[1]','startOffset':0,'endOffset':1}"), data,
	      "result[0].value.hypertextlabels");
#undef HT
	fc_labelconfig_free(c);
}

/* Label Studio's video frame classification template: TimelineLabels on a
 * Video; a region is frame ranges with labels from the config. */
Test(ls_objects, timelinelabels_frame_ranges)
{
	bad("<View><Text name='t' value='$t'/><TimelineLabels name='l' toName='t'><Label value='Run'/>"
	    "</TimelineLabels></View>",
	    "TimelineLabels", "Video");
	bad("<View><Video name='video' value='$video'/><TimelineLabels name='l' toName='video'/></View>",
	    "TimelineLabels", "Label");
	fc_labelconfig *c = ok("<View><TimelineLabels name='videoLabels' toName='video'>"
			       "<Label value='Movement' background='#c813ec'/><Label value='Still'/></TimelineLabels>"
			       "<Video name='video' value='$video' frameRate='25.0' timelineHeight='120'/></View>");
	const char *data = "{'video':'/v.mp4'}";
#define TL(v) "[{'id':'a','from_name':'videoLabels','to_name':'video','type':'timelinelabels','value':" v "}]"
	good(c,
	     "[{'id':'a','from_name':'videoLabels','to_name':'video','type':'timelinelabels','origin':'manual',"
	     "'value':{'ranges':[{'start':3,'end':5},{'start':9,'end':9}],'timelinelabels':['Movement']}},"
	     "{'id':'b','from_name':'videoLabels','to_name':'video','type':'timelinelabels',"
	     "'value':{'ranges':[{'start':1,'end':100}],'framesCount':100,'timelinelabels':['Still']}}]",
	     data);
	/* backwards, negative, not a number, past the frame count, no ranges, an empty list, a foreign label */
	wrong(c, TL("{'ranges':[{'start':5,'end':3}],'timelinelabels':['Still']}"), data,
	      "result[0].value.ranges[0].end");
	wrong(c, TL("{'ranges':[{'start':-1,'end':3}],'timelinelabels':['Still']}"), data,
	      "result[0].value.ranges[0].start");
	wrong(c, TL("{'ranges':[{'start':1.5,'end':3}],'timelinelabels':['Still']}"), data,
	      "result[0].value.ranges[0].start");
	wrong(c, TL("{'ranges':[{'start':1}],'timelinelabels':['Still']}"), data, "result[0].value.ranges[0].end");
	wrong(c, TL("{'ranges':[{'start':1,'end':101}],'framesCount':100,'timelinelabels':['Still']}"), data,
	      "result[0].value.ranges[0].end");
	wrong(c, TL("{'ranges':[{'start':1,'end':2}],'framesCount':0,'timelinelabels':['Still']}"), data,
	      "result[0].value.framesCount");
	wrong(c, TL("{'timelinelabels':['Still']}"), data, "result[0].value.ranges");
	wrong(c, TL("{'ranges':[],'timelinelabels':['Still']}"), data, "result[0].value.ranges");
	wrong(c, TL("{'ranges':[7],'timelinelabels':['Still']}"), data, "result[0].value.ranges[0]");
	wrong(c, TL("{'ranges':[{'start':1,'end':2}],'timelinelabels':['Run']}"), data,
	      "result[0].value.timelinelabels[0]");
	wrong(c, TL("{'ranges':[{'start':1,'end':2}]}"), data, "result[0].value.timelinelabels");
#undef TL
	fc_labelconfig_free(c);
}

/* Label Studio's Paragraphs page: every attribute it lists parses; a
 * ParagraphLabels span names paragraphs by index and offsets inside the first
 * and last one's text (read at textKey), as its editor writes them. */
Test(ls_objects, paragraphs_attributes_and_span_offsets)
{
	fc_labelconfig *c = ok("<View><Audio name='audio' value='$url' sync='text'/>"
			       "<Paragraphs name='text' value='$dialog' valueType='json' audioUrl='$audio' sync='audio'"
			       " showPlayer='true' saveTextResult='no' layout='dialogue' nameKey='speaker'"
			       " textKey='line' contextScroll='true' granularity='paragraph'/>"
			       "<ParagraphLabels name='label' toName='text' choice='multiple' maxUsages='5'"
			       " showInline='true'><Label value='Positive'/><Label value='Negative'/></ParagraphLabels>"
			       "</View>");
	const char *data = "{'url':'a.ogg','audio':'a.ogg','dialog':[{'speaker':'A','line':'Hello there','start':0},"
			   "{'speaker':'B','line':'Hi','start':1.5,'duration':0.5}]}";
#define PSPAN(v) "[{'id':'p1','from_name':'label','to_name':'text','type':'paragraphlabels','value':{" v "}}]"
	/* across both paragraphs; start/end as numbers or numeric strings; the text is optional */
	good(c, PSPAN("'start':0,'end':1,'startOffset':6,'endOffset':2,'paragraphlabels':['Positive']"), data);
	good(c,
	     PSPAN("'start':'0','end':'1','startOffset':0,'endOffset':2,'text':'Hello there\\nHi',"
		   "'paragraphlabels':['Positive','Negative']"),
	     data);
	/* offsets past their paragraph's text (11 and 2 characters); backwards inside one
	 * paragraph; a paragraph the task lacks; no offsets */
	static const char *const broken[][2] = {
		{"'start':0,'end':0,'startOffset':0,'endOffset':12", "endOffset"},
		{"'start':1,'end':1,'startOffset':3,'endOffset':3", "startOffset"},
		{"'start':0,'end':0,'startOffset':5,'endOffset':2", "endOffset"},
		{"'start':0,'end':2,'startOffset':0,'endOffset':1", "end"},
		{"'start':0,'end':0", "startOffset"},
	};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		char r[512], f[64];
		snprintf(r, sizeof r, PSPAN("%s,'paragraphlabels':['Positive']"), broken[i][0]);
		snprintf(f, sizeof f, "result[0].value.%s", broken[i][1]);
		wrong(c, r, data, f);
	}
	/* without the task data, only the shape is checked */
	good(c, PSPAN("'start':0,'end':3,'startOffset':0,'endOffset':99,'paragraphlabels':['Positive']"), NULL);
#undef PSPAN
	fc_labelconfig_free(c);
	/* valueType="url": the task holds a link, so offsets are not checked against it */
	c = ok("<View><Paragraphs name='p' value='$doc' valueType='url'/>"
	       "<ParagraphLabels name='l' toName='p'><Label value='A'/></ParagraphLabels></View>");
	good(c,
	     "[{'id':'x','from_name':'l','to_name':'p','type':'paragraphlabels','value':{'start':0,'end':0,"
	     "'startOffset':0,'endOffset':40,'paragraphlabels':['A']}}]",
	     "{'doc':'https://example.com/d.json'}");
	fc_labelconfig_free(c);
}
