-- 0020 (PostgreSQL): waveform peaks computed once, when a recording or a
-- video arrives (an outbox job, "media_peaks"), and served from here at once
-- afterwards. peaks: n little-endian 16-bit values (0..65535 for 0..1).
CREATE TABLE media_peaks (
  media_id BIGINT PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,
  n BIGINT NOT NULL,
  duration DOUBLE PRECISION NOT NULL,
  decoded DOUBLE PRECISION NOT NULL,
  peaks BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);
