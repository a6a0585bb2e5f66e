-- Up Migration
-- An account's final day (TradingDayClosed `final`: it ended and its position was closed at market): the trading desk's
-- first tick asks which ended accounts have it, to leave their close alone instead of recomputing them. Every day
-- recorded before the mark existed is not final, hence the default.
ALTER TABLE trading_days ADD COLUMN final boolean NOT NULL DEFAULT false;
CREATE INDEX trading_days_final_account ON trading_days (account) WHERE final;

-- Down Migration
DROP INDEX trading_days_final_account;
ALTER TABLE trading_days DROP COLUMN final;
