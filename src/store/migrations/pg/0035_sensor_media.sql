-- 0035: collection projects may record the phone's motion sensors
-- (collect.media "sensor", a CSV per recording): media.kind takes 'sensor'.
ALTER TABLE media DROP CONSTRAINT IF EXISTS media_kind_check;
ALTER TABLE media ADD CONSTRAINT media_kind_check CHECK (kind IN ('audio','image','video','sensor'));
-- A CSV dropped into a project becomes a TimeSeries task: task_files.kind
-- takes 'timeseries'.
ALTER TABLE task_files DROP CONSTRAINT IF EXISTS task_files_kind_check;
ALTER TABLE task_files ADD CONSTRAINT task_files_kind_check CHECK (kind IN ('audio','image','video','timeseries'));
