-- 0012 (PostgreSQL): the contributor's own limits and notification choices (see ../0012_contrib.sql).
CREATE TABLE contributor_prefs (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  daily_limit_minutes BIGINT CHECK (daily_limit_minutes BETWEEN 1 AND 1440),
  quiet_from BIGINT CHECK (quiet_from BETWEEN 0 AND 1439),
  quiet_to BIGINT CHECK (quiet_to BETWEEN 0 AND 1439),
  tz_offset BIGINT NOT NULL DEFAULT 0 CHECK (tz_offset BETWEEN -720 AND 840),
  notify TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX submissions_user_time ON submissions(user_id, created_at);
