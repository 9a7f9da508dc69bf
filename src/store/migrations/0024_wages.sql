-- 0024: fair pay where the contributor lives (issue #17) — minimum wages
-- per country and the exchange rates that compare them with a project's
-- currency. A contributor's pay floor is the higher of the platform's and
-- their country's minimum wage (money/wages.c).

CREATE TABLE minimum_wages (
  country TEXT PRIMARY KEY,          -- ISO 3166-1 alpha-2, upper case
  hourly INTEGER NOT NULL CHECK (hourly > 0),  -- minor units of `currency` per hour
  currency TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',   -- where the figure comes from (a law, a statistics office)
  as_of TEXT NOT NULL DEFAULT '',    -- the date it took effect, as the source gives it
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Units (major) of a currency that one US dollar buys; USD itself is 1.
CREATE TABLE exchange_rates (
  currency TEXT PRIMARY KEY,
  per_usd REAL NOT NULL CHECK (per_usd > 0),
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
