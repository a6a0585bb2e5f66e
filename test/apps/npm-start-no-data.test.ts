// `npm start` as a first-time user runs it: no DATABASE_URL data, MARKET_DATA_SOURCE unset, and (on this machine) no
// network. Before: nothing said where data comes from, and the collector logged a network error at every retry.
// Now the first seconds say once, exactly, how to import or download candles.
import { expect } from 'chai';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { npmStart, type LogLine } from '../support/npm-start.js';

const HOW_TO =
  'no market data stored yet: import candle files with `npm run import -- <file or folder>…`, e.g. `npm run import -- ../shared/data` ' +
  '(files named <exchange>_<SYMBOL>_<interval>.csv or .csv.gz, e.g. binance_BTCUSDT_1h.csv.gz; from another terminal while this runs, or before). ' +
  'Or let the collector download it from binance (needs a network): it asks for BTCUSDT, ETHUSDT after each candle closes, the first time within a minute.';

describe('npm start with no market data', function () {
  this.timeout(90_000);
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase('npm_start_no_data');
  });
  after(() => db.drop());

  const isHowTo = (l: LogLine) => l.msg.startsWith('no market data stored yet');

  it('says once, as a warning, how to import (the real command and path form) or download candles', async () => {
    const env = { DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'info', COLLECTOR_SYMBOLS: 'BTCUSDT,ETHUSDT', MARKET_DATA_SOURCE: 'ccxt' };
    const run = npmStart(env);
    try {
      const said = await run.waitForLine(isHowTo, 30_000);
      expect(said.level).to.equal(40);
      expect(said.msg).to.equal(HOW_TO);
      await run.waitForLine((l) => l.msg.startsWith('API listening'), 30_000);
      // A few seconds more: still said once.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(run.logLines().filter(isHowTo)).to.have.length(1);
    } finally {
      process.kill(-run.child.pid!, 'SIGTERM');
      await run.exited;
    }
  });

  it('with candles stored it says nothing of the kind', async () => {
    // One candle (the tables exist: the first start migrated this database).
    const store = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    await store.writeCandles({ exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' }, [
      { openTime: Date.UTC(2024, 0, 1), open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
    ]);
    await store.close();
    const run = npmStart({ DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'info', MARKET_DATA_SOURCE: 'none' });
    try {
      await run.waitForLine((l) => l.msg.startsWith('API listening'), 30_000);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(run.logLines().filter(isHowTo)).to.deep.equal([]);
    } finally {
      process.kill(-run.child.pid!, 'SIGTERM');
      await run.exited;
    }
  });
});
