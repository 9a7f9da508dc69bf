// Starter labeling configs (Label Studio syntax) with a sample task each.

// A short conversation with Markdown and code, for the conversation templates.
const CHAT_SAMPLE = [{ role: 'user', content: 'How do I reverse a list in Python?' }, { role: 'assistant', content: 'Use slicing:\n\n```python\nitems[::-1]\n```\n\nor `items.reverse()` to change it **in place**.' }, { role: 'user', content: 'Which is faster?' }, { role: 'assistant', content: 'They are the same.' }];

export const TEMPLATES = [
  {
    id: 'image-objects',
    title: 'Image: boxes, polygons, keypoints',
    description: 'Draw bounding boxes, outline shapes and mark points on images.',
    config: `<View>
  <Header value="Mark every vehicle and pedestrian"/>
  <RectangleLabels name="box" toName="image">
    <Label value="Car" background="#2563eb"/>
    <Label value="Pedestrian" background="#e11d48"/>
  </RectangleLabels>
  <PolygonLabels name="shape" toName="image">
    <Label value="Road" background="#16a34a"/>
  </PolygonLabels>
  <KeyPointLabels name="point" toName="image">
    <Label value="Head" background="#d97706"/>
  </KeyPointLabels>
  <Image name="image" value="$image" zoom="true"/>
</View>`,
    sample: { image: 'sample:image' },
    instructions: '## What to do\n\n- Draw a **box** around every car and pedestrian.\n- Outline the **road** with a polygon.\n- Put a **point** on each head.\n\nPress the number keys to pick a label, `Del` removes the selected region, `Ctrl+Z` undoes.',
  },
  {
    id: 'image-boxes',
    title: 'Image bounding boxes',
    description: 'Classic object detection boxes.',
    config: `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image">
    <Label value="Cat"/>
    <Label value="Dog"/>
  </RectangleLabels>
</View>`,
    sample: { image: 'sample:image' },
    instructions: 'Draw a tight box around each cat and dog.',
  },
  {
    id: 'text-classification',
    title: 'Text classification',
    description: 'Pick a sentiment for each text.',
    config: `<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single" required="true">
    <Choice value="Positive"/>
    <Choice value="Neutral"/>
    <Choice value="Negative"/>
  </Choices>
</View>`,
    sample: { text: 'The delivery was late, but the support team fixed it quickly.' },
    instructions: 'Read the text and choose the sentiment that fits best.',
  },
  {
    id: 'ner',
    title: 'Named entities (text spans)',
    description: 'Highlight people, places and organisations; link them with relations.',
    config: `<View>
  <Labels name="label" toName="text">
    <Label value="Person" background="#e11d48"/>
    <Label value="Location" background="#2563eb"/>
    <Label value="Organization" background="#16a34a"/>
  </Labels>
  <Text name="text" value="$text" granularity="word"/>
  <Relations>
    <Relation value="works for"/>
    <Relation value="located in"/>
  </Relations>
</View>`,
    sample: { text: 'Ada Lovelace worked with Charles Babbage at the Analytical Engine project in London.' },
    instructions: 'Select the words of each name, then press the label key. Spans may overlap.',
  },
  {
    id: 'pairwise',
    title: 'Compare two model answers',
    description: 'Which answer to the prompt is better?',
    config: `<View>
  <Header value="Prompt"/>
  <Text name="prompt" value="$prompt"/>
  <View style="display: flex; gap: 1em">
    <Text name="answer_a" value="$answer_a"/>
    <Text name="answer_b" value="$answer_b"/>
  </View>
  <Pairwise name="preference" toName="answer_a,answer_b" required="true"/>
</View>`,
    sample: { prompt: 'Explain photosynthesis to a child.', answer_a: 'Plants eat sunlight! They use light, water and air to make their own food and give us oxygen.', answer_b: 'Photosynthesis is the conversion of light energy into chemical energy via chlorophyll-mediated reactions.' },
    instructions: 'Pick the answer that is more helpful, correct and suitable for the reader.',
  },
  {
    id: 'rating',
    title: 'Rate a model answer with rationale',
    description: 'A 1–5 rating and a short reason.',
    config: `<View>
  <Header value="Prompt"/>
  <Text name="prompt" value="$prompt"/>
  <Header value="Model answer"/>
  <Text name="answer" value="$answer"/>
  <Rating name="quality" toName="answer" maxRating="5" required="true"/>
  <TextArea name="rationale" toName="answer" rows="3" placeholder="Why this rating?" required="true"/>
</View>`,
    sample: { prompt: 'What is the capital of Australia?', answer: 'The capital of Australia is Canberra.' },
    instructions: 'Rate how helpful and correct the answer is (5 is best) and say why in a sentence.',
  },
  {
    id: 'ranking',
    title: 'Rank search results',
    description: 'Order items from best to worst.',
    config: `<View>
  <Header value="$query"/>
  <List name="results" value="$items" title="Results"/>
  <Ranker name="rank" toName="results"/>
</View>`,
    sample: { query: 'best hiking boots', items: [{ id: 'a', title: 'Trail boot review', body: 'Tested 12 boots on 300 km.' }, { id: 'b', title: 'Boot shop', body: 'Sale on all shoes.' }, { id: 'c', title: 'Forum thread', body: 'Which boots for the Alps?' }] },
    instructions: 'Put the most useful result first.',
  },
  // ---- one per category of Label Studio's template gallery (issue #21) ----
  {
    id: 'segmentation-masks',
    title: 'Image: segmentation masks (brush)',
    description: 'Paint pixel masks; the eraser fixes mistakes. Exported as Label Studio RLE.',
    config: `<View>
  <Header value="Paint over every region of each class"/>
  <BrushLabels name="tag" toName="image">
    <Label value="Sky" background="#0891b2"/>
    <Label value="Road" background="#6b7280"/>
    <Label value="Vegetation" background="#16a34a"/>
  </BrushLabels>
  <Image name="image" value="$image" zoom="true"/>
</View>`,
    sample: { image: 'sample:image' },
    instructions: 'Pick a class, then **paint** it on the image. `[` and `]` change the brush size, `E` switches to the eraser for the selected mask, `Ctrl+Z` undoes a stroke. By keyboard: on the image the arrows move a crosshair, `Space` paints a dab, `Enter` puts the brush down (the arrows paint) and lifts it.',
  },
  {
    id: 'ocr',
    title: 'Image: OCR (regions with their text)',
    description: 'Box or outline each line of text and type what it says.',
    config: `<View>
  <Image name="image" value="$ocr"/>
  <Labels name="label" toName="image">
    <Label value="Text" background="#16a34a"/>
    <Label value="Handwriting" background="#2563eb"/>
  </Labels>
  <Rectangle name="bbox" toName="image" strokeWidth="3"/>
  <Polygon name="poly" toName="image" strokeWidth="3"/>
  <TextArea name="transcription" toName="image" editable="true" perRegion="true" required="true" maxSubmissions="1" rows="3" placeholder="Recognized text"/>
</View>`,
    sample: { ocr: 'sample:image' },
    instructions: 'Draw a box (or polygon) around each line of text, select it, and type exactly what it says.',
  },
  {
    id: 'ellipses-keypoints',
    title: 'Image: ellipses and unlabelled points',
    description: 'Ellipses for round objects; plain keypoints and polygons without classes.',
    config: `<View>
  <EllipseLabels name="cells" toName="image">
    <Label value="Cell" background="#9333ea"/>
  </EllipseLabels>
  <KeyPoint name="point" toName="image"/>
  <Polygon name="outline" toName="image"/>
  <Image name="image" value="$image"/>
</View>`,
    sample: { image: 'sample:image' },
    instructions: 'Drag an ellipse around each cell; click to mark points of interest.',
  },
  {
    id: 'taxonomy',
    title: 'Text: taxonomy',
    description: 'Classify into a hierarchy; answers are paths from the top.',
    config: `<View>
  <Text name="text" value="$text"/>
  <Taxonomy name="taxonomy" toName="text">
    <Choice value="Archaea"/>
    <Choice value="Bacteria"/>
    <Choice value="Eukarya">
      <Choice value="Human"/>
      <Choice value="Opossum"/>
      <Choice value="Extraterrestrial"/>
    </Choice>
  </Taxonomy>
</View>`,
    sample: { text: 'Opossums are the only marsupials found north of Mexico.' },
    instructions: 'Tick every class that fits, as deep in the tree as you can.',
  },
  {
    id: 'multi-page-document',
    title: 'Multi-page documents (Repeater)',
    description: 'One set of controls per page of a document.',
    config: `<View>
  <Repeater on="$pages" indexFlag="{{idx}}" mode="pagination">
    <Image name="page_{{idx}}" value="$pages[{{idx}}].url"/>
    <RectangleLabels name="labels_{{idx}}" toName="page_{{idx}}">
      <Label value="Title" background="#2563eb"/>
      <Label value="Date" background="#d97706"/>
    </RectangleLabels>
  </Repeater>
</View>`,
    sample: { pages: [{ url: 'sample:image' }, { url: 'sample:image' }] },
    instructions: 'On every page, box the document title and its date.',
  },
  {
    id: 'tabular-data',
    title: 'Structured data: tables and dates',
    description: 'Check a record shown as a table; pick the date it refers to.',
    config: `<View>
  <Header value="Is this record complete and correct?"/>
  <Table name="table" value="$record"/>
  <Choices name="verdict" toName="table" choice="single" required="true">
    <Choice value="Correct"/>
    <Choice value="Needs a fix"/>
  </Choices>
  <TextArea name="fix" toName="table" placeholder="What is wrong?" visibleWhen="choice-selected" whenTagName="verdict" whenChoiceValue="Needs a fix"/>
  <DateTime name="date" toName="table" only="date"/>
</View>`,
    sample: { record: { Name: 'Ada Lovelace', Born: '1815-12-10', Field: 'Mathematics' } },
    instructions: 'Compare the record with what you know; describe any fix. The text box appears only when a fix is needed.',
  },
  {
    id: 'pdf-classification',
    title: 'PDF classification',
    description: 'Classify whole documents.',
    config: `<View>
  <Pdf name="pdf" value="$pdf"/>
  <Choices name="kind" toName="pdf" choice="single">
    <Choice value="Invoice"/>
    <Choice value="Receipt"/>
    <Choice value="Contract"/>
  </Choices>
</View>`,
    sample: { pdf: 'https://example.org/sample.pdf' },
    instructions: 'Open the document and pick its kind.',
  },
  {
    id: 'llm-review',
    title: 'Generative AI: review a Markdown answer',
    description: 'Rate a model answer rendered from Markdown; sort sources into buckets.',
    config: `<View>
  <Text name="prompt" value="$prompt"/>
  <Markdown name="answer" value="$answer"/>
  <Rating name="quality" toName="answer" maxRating="5"/>
  <List name="sources" value="$sources" title="Sources"/>
  <Ranker name="buckets" toName="sources">
    <Bucket name="relevant" title="Relevant"/>
    <Bucket name="irrelevant" title="Irrelevant"/>
  </Ranker>
</View>`,
    sample: { prompt: 'Explain recursion briefly.', answer: 'A function that **calls itself** on a smaller input until it reaches a *base case*.', sources: [{ id: 's1', title: 'SICP, ch. 1' }, { id: 's2', title: 'A cooking blog' }] },
    instructions: 'Rate the answer and put each source in the right bucket.',
  },
  {
    id: 'dynamic-labels',
    title: 'Labels from the task (dynamic)',
    description: 'Each task brings its own classes: value="$labels".',
    config: `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image" value="$labels"/>
</View>`,
    sample: { image: 'sample:image', labels: [{ value: 'Car' }, { value: 'Person' }] },
    instructions: 'Box each object with one of the classes this task lists.',
  },
  {
    id: 'audio-transcription',
    title: 'Audio: label and transcribe',
    description: 'Mark speech and noise on the waveform, transcribe each region.',
    config: `<View>
  <Header value="Mark the speech and the noise; transcribe each speech region"/>
  <Labels name="label" toName="audio">
    <Label value="Speech" background="#2563eb"/>
    <Label value="Noise" background="#d97706"/>
  </Labels>
  <Audio name="audio" value="$audio"/>
  <TextArea name="transcription" toName="audio" perRegion="true" rows="2"/>
</View>`,
    sample: { audio: '/samples/speech.ogg' },
    instructions: '## What to do\n\n- Pick **Speech** or **Noise** (or press 1 or 2), then drag across the waveform — or press `[` at the start and `]` at the end while it plays.\n- With a region selected, type what is said in it.\n\n`Space` plays, `←`/`→` seek, `+`/`-` zoom, `L` loops the selected region, `<`/`>` change the speed.',
  },
  {
    id: 'video-tracking',
    title: 'Video: track objects',
    description: 'Follow each object with a box, frame by frame; keyframes are interpolated.',
    config: `<View>
  <Header value="Track every moving shape"/>
  <Labels name="videoLabels" toName="video">
    <Label value="Shape" background="#2563eb"/>
    <Label value="Text" background="#e11d48"/>
  </Labels>
  <Video name="video" value="$video" framerate="25"/>
  <VideoRectangle name="box" toName="video"/>
</View>`,
    sample: { video: '/samples/clip.webm' },
    instructions: '## What to do\n\n- Pick a label (1 or 2), then drag a box on the frame — or press `N` for a box and move it with the arrows (`Alt`+arrows resize).\n- Step with `,` and `.` (`Shift` for 10 frames); move the box where the object went: each change is a **keyframe**, frames between are interpolated.\n- `C` copies the box to the next frame, `H` ends the track at this frame (the object left), `K` sets or removes a keyframe.',
  },
  {
    id: 'html-ner',
    title: 'Web pages: label names in HTML',
    description: 'Mark people and places in a web page or an HTML document, keeping its layout.',
    config: `<View>
  <HyperTextLabels name="ner" toName="page">
    <Label value="Person" background="#c026d3"/>
    <Label value="Place" background="#2563eb"/>
  </HyperTextLabels>
  <HyperText name="page" value="$html"/>
</View>`,
    sample: { html: '<h2>Notes</h2><p>Ada Lovelace met <b>Charles Babbage</b> in London.</p><p>They wrote to each other for years.</p>' },
    instructions: '## What to do\n\n- Pick a label (1 or 2), then select the name with the mouse.\n- By keyboard: on the page, arrows move a word, `Shift`+arrows select words; press the label\'s key (or `Enter`).\n- Select a region in the list and press `Delete` to remove it.',
  },
  {
    id: 'video-segments',
    title: 'Video: classify frame ranges',
    description: 'Mark the stretches of a video where something happens, frame by frame, on a timeline per label.',
    config: `<View>
  <TimelineLabels name="videoLabels" toName="video">
    <Label value="Movement" background="#c026d3"/>
    <Label value="Still" background="#2563eb"/>
  </TimelineLabels>
  <Video name="video" value="$video" frameRate="25"/>
</View>`,
    sample: { video: '/samples/clip.webm' },
    instructions: '## What to do\n\n- Drag along a label\'s row under the video to mark the frames where it applies.\n- By keyboard: pick a label (1 or 2), step with `,` and `.` on the video, press `[` at the first frame and `]` at the last.\n- Select a range and press `Delete` to remove it.',
  },
  {
    id: 'chat-rating',
    title: 'Conversations: rate each reply',
    description: 'Rate every model reply, flag problems per turn, and judge the whole conversation.',
    config: `<View>
  <Header value="Rate each reply of the assistant"/>
  <Chat name="chat" value="$messages"/>
  <Rating name="quality" toName="chat" perItem="true" maxRating="5"/>
  <Choices name="issues" toName="chat" perItem="true" choice="multiple">
    <Choice value="Wrong"/>
    <Choice value="Unsafe"/>
    <Choice value="Unhelpful"/>
  </Choices>
  <TextArea name="comment" toName="chat" perItem="true" rows="1" placeholder="Comment on this reply (optional)"/>
  <Choices name="overall" toName="chat" required="true">
    <Choice value="Good conversation"/>
    <Choice value="Bad conversation"/>
  </Choices>
</View>`,
    sample: { messages: CHAT_SAMPLE },
    instructions: '## What to do\n\n- Under each **assistant** reply: give 1–5 stars (arrow keys move between stars), tick any problem, add a comment if useful.\n- Then judge the whole conversation.',
  },
  {
    id: 'chat-rewrite',
    title: 'Conversations: rewrite replies, write the ideal answer',
    description: 'Instruction-tuning data: fix weak replies and write the answer the model should give (chat JSONL export).',
    config: `<View>
  <Header value="Fix the assistant"/>
  <Chat name="chat" value="$messages"/>
  <TextArea name="rewrite" toName="chat" perItem="true" rows="3"/>
  <Header value="The ideal next reply"/>
  <TextArea name="ideal" toName="chat" rows="4" required="true" placeholder="Write the reply the assistant should give"/>
</View>`,
    sample: { messages: CHAT_SAMPLE },
    instructions: '## What to do\n\n- Rewrite any assistant reply that is wrong or unclear (leave the box empty to keep it).\n- Write the **ideal answer** to the last question. Markdown and code blocks are fine.',
  },
  {
    id: 'chat-compare',
    title: 'Conversations: compare two candidate replies',
    description: 'Preference data: after the conversation so far, pick the better of two replies (DPO export, conversational form).',
    config: `<View>
  <Chat name="chat" value="$messages"/>
  <Header value="Which reply should come next?"/>
  <View style="display: flex; gap: 1rem">
    <Text name="reply_a" value="$reply_a"/>
    <Text name="reply_b" value="$reply_b"/>
  </View>
  <Pairwise name="preference" toName="reply_a,reply_b" required="true"/>
</View>`,
    sample: { messages: CHAT_SAMPLE.slice(0, 3), reply_a: 'Slicing makes a copy; `reverse()` works in place and is a little faster.', reply_b: 'They are the same.' },
    instructions: '## What to do\n\nRead the conversation, then choose the reply that is **more helpful and correct**.',
  },
  {
    id: 'time-series',
    title: 'Time series: activity ranges and events',
    description: 'Sensor channels (CSV or JSON) on a shared time axis: label ranges and instants, zoom, many channels.',
    config: `<View>
  <Header value="Mark each activity and every fall"/>
  <TimeSeriesLabels name="activity" toName="ts">
    <Label value="Walk" background="#2563eb"/>
    <Label value="Run" background="#e11d48"/>
    <Label value="Fall" background="#16a34a"/>
  </TimeSeriesLabels>
  <TimeSeries name="ts" value="$csv" valueType="url" timeColumn="time">
    <Channel column="ax" legend="Acceleration x" units="m/s²"/>
    <Channel column="ay" legend="Acceleration y" units="m/s²"/>
    <Channel column="az" legend="Acceleration z" units="m/s²"/>
  </TimeSeries>
</View>`,
    sample: { csv: '/samples/walk.csv' },
    instructions: '## What to do\n\n- Pick a label (1–3), then **drag** across the chart for a range; a **click** marks an instant.\n- By keyboard: focus the chart, move the cursor with ← → (`Shift` faster), press `[` and `]` for a range, `Enter` for an instant.\n- Without a label, dragging zooms; `+`, `−` and `0` zoom in, out and back.',
  },
];

/** A small picture drawn in the browser, for previews (no network). */
export function sampleImage() {
  const c = document.createElement('canvas');
  c.width = 480;
  c.height = 320;
  const g = c.getContext('2d');
  const sky = g.createLinearGradient(0, 0, 0, 320);
  sky.addColorStop(0, '#bfdbfe');
  sky.addColorStop(1, '#e0f2fe');
  g.fillStyle = sky;
  g.fillRect(0, 0, 480, 320);
  g.fillStyle = '#6b7280';
  g.beginPath();
  g.moveTo(180, 320);
  g.lineTo(220, 170);
  g.lineTo(260, 170);
  g.lineTo(330, 320);
  g.fill();
  g.fillStyle = '#86efac';
  g.fillRect(0, 170, 220, 150);
  g.fillStyle = '#1d4ed8';
  g.fillRect(250, 230, 70, 36);
  g.fillStyle = '#111827';
  g.beginPath();
  g.arc(110, 180, 10, 0, Math.PI * 2);
  g.fill();
  g.fillRect(104, 190, 12, 40);
  return c.toDataURL('image/png');
}

export function sampleFor(t) {
  let img = null;
  // 'sample:image' anywhere, also inside lists (a Repeater's pages)
  const fill = (v) => (v === 'sample:image' ? (img ||= sampleImage()) : Array.isArray(v) ? v.map(fill) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)])) : v);
  return fill(t.sample);
}

/** Starter collection specs: what to record or photograph, with its checks. */
export const COLLECT_TEMPLATES = [
  {
    id: 'read-aloud',
    title: 'Read sentences aloud',
    description: 'Speech corpus: one short sentence per recording.',
    collect: { media: 'audio', prompt_field: 'sentence', min_seconds: 1, max_seconds: 15, min_sample_rate: 16000, max_bytes: 10485760, formats: ['wav', 'webm', 'ogg', 'mp3', 'm4a'] },
    sample: 'sentence,\nThe quick brown fox jumps over the lazy dog.',
    instructions: '## What to do\n\n- Find a **quiet place** and hold the phone about a hand’s width from your mouth.\n- Press **Record**, read the sentence **exactly as written** at a natural pace, then press **Stop**.\n- Listen to it. If a word is wrong or there is loud noise, **re-record**.\n\nDon’t say your name or anything personal.',
  },
  {
    id: 'photo-objects',
    title: 'Photograph objects',
    description: 'Image dataset: a photo of the named object.',
    collect: { media: 'image', prompt_field: 'object', min_width: 640, min_height: 480, max_bytes: 15728640, formats: ['jpeg', 'png'] },
    sample: 'object,\na coffee mug',
    instructions: '## What to do\n\n- Take a photo of the **object named in the prompt**, filling most of the frame.\n- Use good light; hold still so the photo is sharp.\n- **No people’s faces**, documents or screens in the picture.',
  },
  {
    id: 'film-actions',
    title: 'Film short actions',
    description: 'Video clips of a described action.',
    collect: { media: 'video', prompt_field: 'action', min_seconds: 2, max_seconds: 20, min_width: 640, min_height: 480, max_bytes: 104857600, formats: ['webm', 'mp4'] },
    sample: 'action,\nwave with your right hand',
    instructions: '## What to do\n\n- Film yourself or your hands **doing the action in the prompt**, start to finish.\n- Keep the camera still and the light in front of you.',
  },
  {
    id: 'sensor-activity',
    title: 'Record activities with phone sensors',
    description: 'Motion data: accelerometer and gyroscope while doing an activity.',
    collect: { media: 'sensor', prompt_field: 'activity', sensors: ['accelerometer', 'gyroscope'], min_hz: 20, min_seconds: 5, max_seconds: 60, max_bytes: 5242880 },
    sample: 'activity,\nwalk ten steps, then stand still',
    instructions: '## What to do\n\n- Open this page **on your phone** and put the phone in your **trouser pocket** (or hold it, if the prompt says so).\n- Press **Start recording**, **do the activity in the prompt**, then press **Stop**.\n- Keep the page open and the screen on while recording.\n\nOnly the motion sensors are recorded — no sound, no pictures, no location.',
  },
];
