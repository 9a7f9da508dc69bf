/* libFuzzer: result validation against a config using every control type.
 * The input is taken as the JSON result (and a fixed task). */
#include "work/labelconfig.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static const char CONFIG[] =
	"<View><Image name=\"img\" value=\"$image\"/>"
	"<RectangleLabels name=\"box\" toName=\"img\"><Label value=\"Car\" maxUsages=\"2\"/></RectangleLabels>"
	"<PolygonLabels name=\"poly\" toName=\"img\"><Label value=\"Road\"/></PolygonLabels>"
	"<KeyPointLabels name=\"kp\" toName=\"img\"><Label value=\"Head\"/></KeyPointLabels>"
	"<Text name=\"text\" value=\"$text\"/><Labels name=\"ner\" toName=\"text\"><Label value=\"PER\"/></Labels>"
	"<Relations><Relation value=\"knows\"/></Relations>"
	"<Choices name=\"c\" toName=\"text\" choice=\"multiple\"><Choice value=\"a\"/><Choice value=\"b\"/></Choices>"
	"<Text name=\"a\" value=\"$a\"/><Text name=\"b\" value=\"$b\"/><Pairwise name=\"pw\" toName=\"a,b\"/>"
	"<Rating name=\"r\" toName=\"text\" maxRating=\"5\"/><TextArea name=\"t\" toName=\"text\"/>"
	"<Number name=\"n\" toName=\"text\" min=\"0\" max=\"10\"/></View>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fc_labelconfig *c;
	static json_t *task;
	fc_err err = {0};
	if (!c) {
		if (fc_labelconfig_parse(CONFIG, strlen(CONFIG), &c, &err))
			__builtin_trap();
		task = json_pack("{s:s,s:s,s:s,s:s}", "image", "x.png", "text", "Ada met Charles in London", "a", "A",
				 "b", "B");
	}
	json_t *result = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (result) {
		fc_labelconfig_validate_result(c, result, task, &err);
		json_decref(result);
	}
	fc_err_clear(&err);
	return 0;
}
