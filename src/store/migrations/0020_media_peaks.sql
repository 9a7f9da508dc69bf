-- 0020: waveform peaks computed once, when a recording or a video arrives
-- (an outbox job, "media_peaks"), and served from here at once afterwards.
-- peaks: n little-endian 16-bit values (0..65535 for 0..1), the largest
-- |sample| of each of n equal runs of the file's duration seconds; decoded:
-- the seconds the decoder actually produced. Gone with the media row; erased
-- by withdrawal and erasure with the media.
CREATE TABLE media_peaks (
  media_id INTEGER PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,
  n INTEGER NOT NULL,
  duration REAL NOT NULL,
  decoded REAL NOT NULL,
  peaks BLOB NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
