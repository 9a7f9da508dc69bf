-- 0012: the contributor's own limits and notification choices (issue #17).

-- One row per contributor who changed a default; no row means no daily
-- limit, no quiet hours, UTC, every notification on.
CREATE TABLE contributor_prefs (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  daily_limit_minutes INTEGER CHECK (daily_limit_minutes BETWEEN 1 AND 1440),
  -- quiet hours as minutes after local midnight; from > to spans midnight
  quiet_from INTEGER CHECK (quiet_from BETWEEN 0 AND 1439),
  quiet_to INTEGER CHECK (quiet_to BETWEEN 0 AND 1439),
  -- the contributor's UTC offset in minutes (east positive): their day and
  -- their quiet hours start at their midnight, not the server's
  tz_offset INTEGER NOT NULL DEFAULT 0 CHECK (tz_offset BETWEEN -720 AND 840),
  notify TEXT NOT NULL DEFAULT '{}'  -- {"email":bool,"in_app":bool,"decisions":bool,"appeals":bool}
) STRICT;

-- The daily limit sums today's measured time: one range scan per lease.
CREATE INDEX submissions_user_time ON submissions(user_id, created_at);
