-- 0024 (PostgreSQL): minimum wages per country, exchange rates (see ../0024_wages.sql).
CREATE TABLE minimum_wages (
  country TEXT PRIMARY KEY,
  hourly BIGINT NOT NULL CHECK (hourly > 0),
  currency TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  as_of TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL
);
CREATE TABLE exchange_rates (
  currency TEXT PRIMARY KEY,
  per_usd DOUBLE PRECISION NOT NULL CHECK (per_usd > 0),
  updated_at BIGINT NOT NULL
);
