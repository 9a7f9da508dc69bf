// The config editor's reference: every tag faircrowd takes from Label
// Studio, what it is for, and a small config to try it with ("Try it" puts
// the example in the editor, whose preview then shows it).
import { h } from './dom.js';

const I = '<Image name="image" value="$image"/>';
const T = '<Text name="text" value="$text"/>';

/** [tag, kind, what it does, a whole config showing it]. */
export const TAGS = [
  ['View', 'layout', 'Groups tags; style="display: flex" lays them side by side.', `<View style="display: flex">${T}<Choices name="c" toName="text"><Choice value="Yes"/></Choices></View>`],
  ['Header', 'layout', 'A heading; value may read task data ("$title").', `<View><Header value="Read the review"/>${T}<Choices name="c" toName="text"><Choice value="Good"/></Choices></View>`],
  ['Repeater', 'layout', 'Repeats its content for every item of a task list (pages); names carry {{idx}}.', '<View><Repeater on="$pages"><Image name="p_{{idx}}" value="$pages[{{idx}}].url"/><RectangleLabels name="l_{{idx}}" toName="p_{{idx}}"><Label value="Title"/></RectangleLabels></Repeater></View>'],
  ['Image', 'object', 'An image to draw on (valueList="$images" for several).', `<View>${I}<Choices name="c" toName="image"><Choice value="Cat"/><Choice value="Dog"/></Choices></View>`],
  ['Text', 'object', 'Text to read or to mark spans in; value may also be the text itself.', '<View><Text name="text" value="John went to see Mary"/><Labels name="ner" toName="text"><Label value="Person"/></Labels></View>'],
  ['HyperText', 'object', 'HTML shown as text.', '<View><HyperText name="html" value="$html"/><Choices name="c" toName="html"><Choice value="Spam"/></Choices></View>'],
  ['Paragraphs', 'object', 'A dialogue or list of utterances: nameKey/textKey, layout="dialogue", audioUrl + showPlayer or sync (play a paragraph), contextScroll, saveTextResult, granularity.', '<View><Paragraphs name="dialog" value="$dialog" layout="dialogue"/><Choices name="c" toName="dialog"><Choice value="Resolved"/></Choices></View>'],
  ['Audio', 'object', 'Sound to label in time.', '<View><Audio name="audio" value="$audio"/><Labels name="l" toName="audio"><Label value="Speech"/></Labels></View>'],
  ['Video', 'object', 'A video to classify or track boxes in.', '<View><Video name="video" value="$video"/><Choices name="c" toName="video"><Choice value="Indoor"/></Choices></View>'],
  ['List', 'object', 'Items for a Ranker.', '<View><List name="list" value="$items"/><Ranker name="rank" toName="list"/></View>'],
  ['Table', 'object', 'Key/value task data shown read-only.', '<View><Table name="table" value="$record"/><Choices name="c" toName="table"><Choice value="Correct"/></Choices></View>'],
  ['Markdown', 'object', 'Markdown rendered safely (no raw HTML).', '<View><Markdown name="md" value="$answer"/><Rating name="r" toName="md"/></View>'],
  ['Pdf', 'object', 'A PDF document, opened in a new tab.', '<View><Pdf name="pdf" value="$pdf"/><Choices name="c" toName="pdf"><Choice value="Invoice"/></Choices></View>'],
  ['Chat', 'object', 'A conversation ([{role, content}]); perItem controls answer per turn, a TextArea writes the ideal reply.', '<View><Chat name="chat" value="$messages"/><Rating name="r" toName="chat" perItem="true"/><TextArea name="ideal" toName="chat"/></View>'],
  ['TimeSeries', 'object', 'Channels of a CSV or JSON table over time (<Channel column="…"/> each); valueType="json" when the task holds the table.', '<View><TimeSeries name="ts" value="$ts" valueType="json" timeColumn="t"><Channel column="x"/></TimeSeries><TimeSeriesLabels name="l" toName="ts"><Label value="Event"/></TimeSeriesLabels></View>'],
  ['Choices', 'control', 'Classification; choice="multiple" for several; value="$options" from the task.', `<View>${T}<Choices name="c" toName="text" choice="multiple"><Choice value="A"/><Choice value="B"/></Choices></View>`],
  ['Taxonomy', 'control', 'Classification in a tree of nested Choice tags; answers are paths.', `<View>${T}<Taxonomy name="t" toName="text"><Choice value="Animal"><Choice value="Cat"/></Choice><Choice value="Plant"/></Taxonomy></View>`],
  ['Labels', 'control', 'Spans of text or audio; on an image, labels for drawn regions.', `<View>${T}<Labels name="l" toName="text"><Label value="Person"/><Label value="Place"/></Labels></View>`],
  ['RectangleLabels', 'control', 'Labelled boxes; value="$labels" takes the labels from the task.', `<View>${I}<RectangleLabels name="b" toName="image"><Label value="Car"/></RectangleLabels></View>`],
  ['PolygonLabels', 'control', 'Labelled polygons.', `<View>${I}<PolygonLabels name="p" toName="image"><Label value="Road"/></PolygonLabels></View>`],
  ['KeyPointLabels', 'control', 'Labelled points.', `<View>${I}<KeyPointLabels name="k" toName="image"><Label value="Nose"/></KeyPointLabels></View>`],
  ['EllipseLabels', 'control', 'Labelled ellipses (centre and radii).', `<View>${I}<EllipseLabels name="e" toName="image"><Label value="Cell"/></EllipseLabels></View>`],
  ['BrushLabels', 'control', 'Pixel masks painted with a brush (eraser: E); Label Studio RLE.', `<View>${I}<BrushLabels name="m" toName="image"><Label value="Sky"/></BrushLabels></View>`],
  ['BitmaskLabels', 'control', 'Pixel masks painted with a brush (eraser: E), saved as a PNG data URL (black on transparent); set smoothing="false" on the Image.', `<View><BitmaskLabels name="m" toName="image"><Label value="Person"/></BitmaskLabels><Image name="image" value="$image" smoothing="false"/></View>`],
  ['OcrLabels', 'control', 'Labelled text regions; pair with a per-region TextArea.', `<View>${I}<OcrLabels name="o" toName="image"><Label value="Line"/></OcrLabels><TextArea name="t" toName="image" perRegion="true"/></View>`],
  ['Rectangle', 'control', 'Boxes without labels of their own.', `<View>${I}<Rectangle name="r" toName="image"/></View>`],
  ['Polygon', 'control', 'Polygons without labels.', `<View>${I}<Polygon name="p" toName="image"/></View>`],
  ['KeyPoint', 'control', 'Points without labels.', `<View>${I}<KeyPoint name="k" toName="image"/></View>`],
  ['Ellipse', 'control', 'Ellipses without labels.', `<View>${I}<Ellipse name="e" toName="image"/></View>`],
  ['Brush', 'control', 'Masks without labels.', `<View>${I}<Brush name="b" toName="image"/></View>`],
  ['Bitmask', 'control', 'PNG masks without labels.', `<View>${I}<Bitmask name="b" toName="image"/></View>`],
  ['MagicWand', 'control', 'Click to fill by colour into a mask; drag sideways to change the tolerance.', `<View>${I}<Labels name="labels" toName="image"><Label value="Cloud"/></Labels><MagicWand name="wand" toName="image" defaultThreshold="15"/></View>`],
  ['HyperTextLabels', 'control', 'Spans in HTML (XPath and offsets): select with the mouse, or Shift+arrows a word at a time.', '<View><HyperText name="h" value="$html"/><HyperTextLabels name="l" toName="h"><Label value="Name"/></HyperTextLabels></View>'],
  ['TimeSeriesLabels', 'control', 'Ranges (drag, or [ and ]) and instants (click, or Enter) on a TimeSeries.', '<View><TimeSeries name="ts" value="$ts" valueType="json" timeColumn="t"><Channel column="x"/></TimeSeries><TimeSeriesLabels name="l" toName="ts"><Label value="Run"/></TimeSeriesLabels></View>'],
  ['ParagraphLabels', 'control', 'Spans across paragraphs: start/end paragraph, startOffset/endOffset. Keyboard: Up/Down paragraphs, Shift+Left/Right words.', '<View><Paragraphs name="p" value="$dialog"/><ParagraphLabels name="l" toName="p"><Label value="Question"/></ParagraphLabels></View>'],
  ['TextArea', 'control', 'Free text; perRegion="true" for one text per region; toName optional.', `<View>${T}<TextArea name="summary" toName="text" rows="3"/></View>`],
  ['Rating', 'control', 'Stars, 1 to maxRating.', `<View>${T}<Rating name="r" toName="text" maxRating="5"/></View>`],
  ['Number', 'control', 'A number between min and max.', `<View>${T}<Number name="n" toName="text" min="0" max="10"/></View>`],
  ['DateTime', 'control', 'A date and/or time; only="date|time|month|year".', `<View>${T}<DateTime name="d" toName="text" only="date"/></View>`],
  ['Pairwise', 'control', 'Which of two is better.', '<View><Text name="a" value="$a"/><Text name="b" value="$b"/><Pairwise name="pw" toName="a,b"/></View>'],
  ['Ranker', 'control', 'Order a List, or sort it into Bucket columns.', '<View><List name="list" value="$items"/><Ranker name="r" toName="list"><Bucket name="good" title="Good"/></Ranker></View>'],
  ['Relations', 'control', 'Named links between regions (Relation children).', `<View>${T}<Labels name="l" toName="text"><Label value="Person"/></Labels><Relations><Relation value="knows"/></Relations></View>`],
  ['TimelineLabels', 'control', 'Ranges of video frames with a label: drag along a label\'s row, or [ and ] on the video.', '<View><Video name="video" value="$video" frameRate="25"/><TimelineLabels name="l" toName="video"><Label value="Movement"/><Label value="Still"/></TimelineLabels></View>'],
  ['VideoRectangle', 'control', 'Boxes tracked over video frames (with Labels).', '<View><Video name="v" value="$video"/><Labels name="l" toName="v"><Label value="Car"/></Labels><VideoRectangle name="box" toName="v"/></View>'],
];

/** Conditions every control takes. */
const COMMON = 'Every control also takes required, perRegion, perItem, maxUsages, hotkey, and visibleWhen="choice-selected" (or region-selected, …) with whenTagName / whenLabelValue / whenChoiceValue.';

/** The reference, as a collapsed section; tryIt(xml) loads an example. */
export function tagReference(tryIt, disabled) {
  const rows = TAGS.map(([tag, kind, what, xml]) => h('tr', null,
    h('th', { scope: 'row' }, h('code', null, `<${tag}>`)),
    h('td', null, kind),
    h('td', null, what, h('br'), h('code', { class: 'tag-example' }, xml)),
    h('td', null, h('button', { type: 'button', class: 'btn small', disabled, 'aria-label': `Try it: ${tag}`, onclick: () => tryIt(xml) }, 'Try it'))));
  return h('details', { class: 'tag-reference' },
    h('summary', null, `Every supported tag (${TAGS.length}) with an example`),
    h('p', { class: 'muted small' }, COMMON),
    h('div', { class: 'table-scroll' }, h('table', { class: 'data-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Tag'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'What it does, example'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Action')))),
      h('tbody', null, rows))));
}
