-- 0019: a task's meta object, as Label Studio's import and export carry it
-- (kept and exported back; never shown to contributors).
ALTER TABLE tasks ADD COLUMN meta TEXT;
