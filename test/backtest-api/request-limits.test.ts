// POST /api/backtests checks every request up front, over the real API, a real PostgreSQL and the real BTCUSDT and
// ETHUSDT 1h candles (2021-04-04T20:00Z to 2023-12-30T18:00Z): each refusal is a 400 naming the field path, and
// nothing is stored for it. The limits are set below their defaults (the configured ones are used); the expected
// counts are worked out by hand from the data's span.
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { DatabasePool } from 'slonik';
import { backtestOutcomeRecorder } from '../../application/backtest/record-outcome.js';
import { inProcessDispatcher } from '../../application/backtest/run-in-process.js';
import { START } from '../../application/ports/event-store.js';
import { backtestRoutes } from '../../apps/api/backtest-routes.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import { activationAuditReadModel, strategyReadModel } from '../../apps/api/read-models.js';
import { createApi } from '../../apps/api/server.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { runJob } from '../../infrastructure/backtest/run-job.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { importCandleFile } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createTestKey, type TestKey } from '../support/api-keys.js';
import { sharedDataFile } from '../support/shared-data.js';

const LIMITS = { maxGridCells: 50, maxWalkForwardWindows: 10, maxBacktestsPerJob: 60, maxCandlesPerJob: 5000 };
const MAX_SYMBOLS = 3;
const NOW = '2024-01-15T00:00:00.000Z';
// 59 days of hourly candles, all stored for both symbols: 1416 bars (rows of the CSV files in that span).
const PERIOD = { from: '2023-01-01T00:00:00.000Z', to: '2023-03-01T00:00:00.000Z' };
const BARS = 1416;

describe('POST /api/backtests: limits checked up front', () => {
  let apiKey: TestKey;
  let db: TestDatabase;
  let store: PostgresEventStore;
  let pool: DatabasePool;
  let candles: PostgresCandleStore;
  let server: Server;
  let base: string;
  let dispatcher: ReturnType<typeof inProcessDispatcher>;

  before(async function () {
    this.timeout(120_000);
    db = await freshDatabase('backtest_limits');
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    pool = await createReadModelPool(db.url);
    candles = new PostgresCandleStore({ connectionString: db.url });
    for (const file of ['binance_BTCUSDT_1h.csv.gz', 'binance_ETHUSDT_1h.csv.gz']) await importCandleFile(candles, sharedDataFile(file));
    const clock = fixedClock(new Date(NOW));
    const deps = { store, clock, ids: uuidIds };
    dispatcher = inProcessDispatcher({ candles, runJob, record: backtestOutcomeRecorder(deps), onError: (e) => console.error(e) });
    const app = createApi({
      ...deps,
      pool,
      log: createLogger('silent'),
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, clock),
      health: async () => ({ healthy: true }),
      limits: { http: { maxBodyBytes: 1_000_000, maxJsonDepth: 32, maxQueryBytes: 2048, maxQueryParams: 20 }, genomeMaxSymbols: MAX_SYMBOLS },
      backtests: backtestRoutes({ ...deps, db: pool, dispatch: dispatcher.dispatch, candles, limits: LIMITS, genomeMaxSymbols: MAX_SYMBOLS }),
    });
    // A real admin key in this database (test/support/api-keys.ts): every API route but /health needs one.
    apiKey = await createTestKey(store, pool, { name: 'alice' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await dispatcher.idle();
    await new Promise((r) => server.close(r));
    await candles.close();
    await store.close();
    await pool.end();
    await db.drop();
  });

  const post = async (body: unknown) => {
    const res = await fetch(`${base}/api/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...apiKey.headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { errors?: { path: string; message: string }[]; jobId?: string } };
  };
  const request = (extra: Record<string, unknown> = {}) => ({ genome: smaCrossoverGenome(), period: PERIOD, ...extra });
  /** A 400 whose errors are exactly these, and not one event more in the log. */
  const refused = async (body: unknown, errors: { path: string; message: string }[]) => {
    await dispatcher.idle(); // jobs accepted earlier record their outcome in the background
    const before = await store.countAfter(START);
    const r = await post(body);
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.errors).to.deep.equal(errors);
    expect(await store.countAfter(START), 'events stored by a refused request').to.equal(before);
  };
  const accepted = async (body: unknown) => {
    const r = await post(body);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    return r.body.jobId!;
  };

  describe('grids', () => {
    it('more cells than BACKTEST_MAX_GRID_CELLS: gridSearch.grid; the limit itself is accepted', async () => {
      const values = (n: number) => Array.from({ length: n }, (_, i) => i + 2);
      await refused(request({ gridSearch: { grid: { 'fast.period': values(17), 'slow.period': [30, 40, 50] } } }), [
        { path: 'gridSearch.grid', message: '51 cells (the product of the value counts), at most 50' },
      ]);
      await accepted(request({ gridSearch: { grid: { 'fast.period': values(25), 'slow.period': [30, 40] } } }));
    });

    it("the issue's walk-forward of 24-bar windows with a 9,999-cell grid: walkForward.grid", async () => {
      const grid = { 'fast.period': Array.from({ length: 99 }, (_, i) => i + 2), 'slow.period': Array.from({ length: 101 }, (_, i) => i + 100) };
      await refused(request({ walkForward: { inSample: 24, outOfSample: 24, grid } }), [
        { path: 'walkForward.grid', message: '9999 cells (the product of the value counts), at most 50' },
      ]);
    });

    it('a path that is not a parameter of the genome: its path under the grid', async () => {
      await refused(request({ gridSearch: { grid: { 'fast.nope': [1, 2] } } }), [
        { path: 'gridSearch.grid.fast.nope', message: 'fast.nope: "indicators.fast.params.nope" is not a numeric parameter of the genome' },
      ]);
      await refused(request({ gridSearch: { grid: { 'indicators.nope.params.period': [5] } } }), [
        { path: 'gridSearch.grid.indicators.nope.params.period', message: 'indicators.nope.params.period: the genome has no "indicators.nope"' },
      ]);
      await refused(request({ walkForward: { inSample: 240, outOfSample: 120, grid: { '__proto__.polluted': [1] } } }), [
        { path: 'walkForward.grid.__proto__.polluted', message: '__proto__.polluted: the genome has no "__proto__"' },
      ]);
      await refused(request({ gridSearch: { grid: { 'symbols.0': [1] } } }), [
        { path: 'gridSearch.grid.symbols.0', message: 'symbols.0: symbols is not a strategy parameter' },
      ]);
      await refused(request({ gridSearch: { grid: { 'fast.period': [5], 'indicators.fast.params.period': [6] } } }), [
        { path: 'gridSearch.grid.indicators.fast.params.period', message: 'names the same parameter as "fast.period"' },
      ]);
      await refused(request({ gridSearch: { grid: {} } }), [
        { path: 'gridSearch.grid', message: 'names no parameter: give at least one path with its values' },
      ]);
      // An optional exit rule the genome leaves out is a parameter.
      await accepted(request({ gridSearch: { grid: { 'exitRules.stopLoss': [0.02, 0.05] } } }));
    });

    it('an unknown ranking metric: gridSearch.metric, walkForward.metric', async () => {
      const r = await post(request({ gridSearch: { grid: { 'fast.period': [5, 10] }, metric: 'profit' } }));
      expect(r.status).to.equal(400);
      expect(r.body.errors!.map((e) => e.path)).to.deep.equal(['gridSearch.metric']);
      expect(r.body.errors![0]!.message).to.match(/^unknown metric "profit"; one of .*\bsharpe\b/);
      const wf = await post(request({ walkForward: { inSample: 240, outOfSample: 120, metric: 'downsideDeviation' } }));
      expect(wf.body.errors!.map((e) => e.path)).to.deep.equal(['walkForward.metric']);
      await accepted(request({ gridSearch: { grid: { 'fast.period': [5, 10] }, metric: 'maxDrawdown' } }));
    });
  });

  describe('walk-forward windows', () => {
    it('more windows than BACKTEST_MAX_WALK_FORWARD_WINDOWS: walkForward.step', async () => {
      // (1416 − 48) / 24 + 1 = 58 windows.
      await refused(request({ walkForward: { inSample: 24, outOfSample: 24 } }), [
        { path: 'walkForward.step', message: `the period's ${BARS} bars hold 58 windows, at most 10: raise step or outOfSample, or shorten the period` },
      ]);
      // (1416 − 360) / 120 + 1 = 9 windows, each 1 in-sample + 1 out-of-sample run.
      await accepted(request({ walkForward: { inSample: 240, outOfSample: 120 } }));
    });

    it('windows longer than the range: walkForward.inSample', async () => {
      await refused(request({ walkForward: { inSample: 1000, outOfSample: 500 } }), [
        { path: 'walkForward.inSample', message: `inSample + outOfSample (1500 bars) is longer than the period (${BARS} BTCUSDT 1h bars)` },
      ]);
    });

    it('a step below outOfSample: walkForward.step', async () => {
      await refused(request({ walkForward: { inSample: 240, outOfSample: 120, step: 60 } }), [
        { path: 'walkForward.step', message: '60 is below outOfSample (120): the out-of-sample parts would overlap' },
      ]);
    });

    it('more backtests than BACKTEST_MAX_BACKTESTS_PER_JOB: walkForward', async () => {
      const grid = (n: number) => ({ 'fast.period': Array.from({ length: n }, (_, i) => i + 5) });
      await refused(request({ walkForward: { inSample: 240, outOfSample: 120, grid: grid(6) } }), [
        { path: 'walkForward', message: '9 windows × (6 in-sample + 1 out-of-sample) = 63 backtests, at most 60 per job' },
      ]);
      await accepted(request({ walkForward: { inSample: 240, outOfSample: 120, grid: grid(5) } }));
    });
  });

  describe('the period', () => {
    it('in the future (the clock port): period.to, period.from', async () => {
      await refused(request({ period: { from: '2023-12-01T00:00:00.000Z', to: '2024-02-01T00:00:00.000Z' } }), [
        { path: 'period.to', message: `is in the future (now is ${NOW})` },
      ]);
      await refused(request({ period: { from: '2025-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' } }), [
        { path: 'period.from', message: `is in the future (now is ${NOW})` },
        { path: 'period.to', message: `is in the future (now is ${NOW})` },
      ]);
    });

    it('before 1970: period.from (the codec of the stored event refuses it, so the body codec does)', async () => {
      await refused(request({ period: { from: '1969-12-31T00:00:00.000Z', to: '2023-01-01T00:00:00.000Z' } }), [
        { path: 'period.from', message: 'expected IsoTimestamp, got "1969-12-31T00:00:00.000Z"' },
      ]);
    });

    it('outside the stored candles of a symbol: period.from, period.to', async () => {
      await refused(request({ period: { from: '2021-01-01T00:00:00.000Z', to: '2021-05-01T00:00:00.000Z' } }), [
        { path: 'period.from', message: 'is before the first stored binance BTCUSDT 1h candle (2021-04-04T20:00:00.000Z)' },
      ]);
      await refused(request({ period: { from: '2023-12-20T00:00:00.000Z', to: '2024-01-10T00:00:00.000Z' }, symbols: ['BTCUSDT', 'ETHUSDT'] }), [
        { path: 'period.to', message: 'is after the last stored binance BTCUSDT 1h candle (2023-12-30T18:00:00.000Z) ends' },
        { path: 'period.to', message: 'is after the last stored binance ETHUSDT 1h candle (2023-12-30T19:00:00.000Z) ends' },
      ]);
    });

    it('more candles than BACKTEST_MAX_CANDLES_PER_JOB: period', async () => {
      // Two symbols over 2023-01-01..2023-05-01: 2 × 2879 candles (rows of the CSV files in that span; one hour is missing).
      await refused(request({ period: { from: '2023-01-01T00:00:00.000Z', to: '2023-05-01T00:00:00.000Z' }, symbols: ['BTCUSDT', 'ETHUSDT'] }), [
        { path: 'period', message: 'holds 5758 candles over 2 symbol(s), at most 5000 per job: shorten the period or use fewer symbols' },
      ]);
    });
  });

  describe('symbols and exchanges', () => {
    it('a symbol without stored candles: symbols.<i> or genome.symbols.<i>', async () => {
      await refused(request({ symbols: ['BTCUSDT', 'XRPUSDT'] }), [
        { path: 'symbols.1', message: 'no binance XRPUSDT 1h candles are stored (import or collect them first)' },
      ]);
      await refused({ genome: smaCrossoverGenome(10, 30, ['DOGEUSDT']), period: PERIOD }, [
        { path: 'genome.symbols.0', message: 'no binance DOGEUSDT 1h candles are stored (import or collect them first)' },
      ]);
      // Stored at 1h, not at 4h.
      await refused({ genome: smaCrossoverGenome(10, 30, ['BTCUSDT'], '4h'), period: PERIOD }, [
        { path: 'genome.symbols.0', message: 'no binance BTCUSDT 4h candles are stored (import or collect them first)' },
      ]);
    });

    it('an exchange without stored candles, or not an exchange id: exchange', async () => {
      await refused(request({ exchange: 'kraken' }), [{ path: 'exchange', message: 'no candles are stored for exchange "kraken"' }]);
      const r = await post(request({ exchange: 'x'.repeat(65) }));
      expect(r.status).to.equal(400);
      expect(r.body.errors!.map((e) => e.path)).to.deep.equal(['exchange']);
    });

    it("more symbols than GENOME_MAX_SYMBOLS, the issue's 50,000 made-up ones included: symbols, genome.symbols", async () => {
      const made = Array.from({ length: 50_000 }, (_, i) => `MADE${String(i).padStart(6, '0')}`);
      await refused(request({ symbols: made }), [{ path: 'symbols', message: '50000 symbols, at most 3 per genome (GENOME_MAX_SYMBOLS)' }]);
      await refused({ genome: smaCrossoverGenome(10, 30, made.slice(0, 4)), period: PERIOD }, [
        { path: 'genome.symbols', message: '4 symbols, at most 3 per genome (GENOME_MAX_SYMBOLS)' },
      ]);
    });
  });

  it('a request within every limit runs to completion', async () => {
    const jobId = await accepted(request({ symbols: ['BTCUSDT', 'ETHUSDT'] }));
    await dispatcher.idle();
    const types = (await store.readStream(`backtest-${jobId}`)).map((e) => e.type);
    expect(types).to.deep.equal(['BacktestRequested', 'BacktestCompleted']);
  });
});
