// The daily cycle's backtests on the worker-thread pool give exactly what the plain in-process BacktestFn gives:
// two fresh databases with the same real BTCUSDT and ETHUSDT 1h candles, the same two days of cycles (1h and 4h
// genomes; the second day learns from the first), one through the reference in-process backtests, one through the
// pool — and the log holds the same events, data and metadata, in the same order. The pool is given no way to load
// candles itself: it can only use the cycle's own series (cut at asOf, 4h resampled from 1h).
import { expect } from 'chai';
import { inProcessWindowBacktests } from '../../application/learning/in-process-window-backtests.js';
import type { DailyCycleReport } from '../../application/learning/daily-cycle.js';
import type { WindowBacktestRequest, WindowRun } from '../../application/ports/window-backtests.js';
import { randomGenomes } from '../../domain/backtest/random-genome.js';
import { resample, completeOnly } from '../../domain/market/resample.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { dataFingerprint } from '../../infrastructure/backtest/job-runner.js';
import { poolWindowBacktests } from '../../infrastructure/backtest/pool-window-backtests.js';
import { WorkerCrashedError, WorkerPool } from '../../infrastructure/backtest/worker-pool.js';
import { loadCandles, truncate } from '../indicators/real-candles.js';
import { trainingRows } from '../../projections/training-set/queries.js';
import { openCycleFixture, runDay, type CycleFixture } from './cycle-fixture.js';
import { either } from 'fp-ts';

const FILES = ['binance_BTCUSDT_1h.csv.gz', 'binance_ETHUSDT_1h.csv.gz'];
const DAY1 = new Date('2023-06-01T03:00:00.000Z');
const DAY2 = new Date('2023-06-02T03:00:00.000Z');
const N = 16;
const OPTIONS = { n: N, minHistory: 5, timeframes: ['1h', '4h'] as const };

// Per day: the day's parameters (LearningCycleStarted), Generated, Backtested, Filtered per strategy, the insights and
// the policy, the 6 stage events and CycleCompleted (N = 16 in chunks of 50: no progress event), and the promotions.
let EVENTS = 2 * (3 * N + 3 + 7);

/**
 * The log as the cycles left it: every event's stream, revision, id, type, data and metadata, in log order. The store
 * delivers an event once every older transaction on the server has ended (other suites share it): poll.
 */
const logOf = async (fx: CycleFixture) => {
  for (let i = 0; ; i++) {
    const all = await fx.store.readAll({ maxCount: 10_000 });
    if (all.length >= EVENTS || i > 300)
      return all.map((e) => ({ stream: e.streamName, revision: e.revision, eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata }));
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * Until the read models hold `rows` training rows: the store delivers an event once every older transaction on the
 * server has ended (other suites share it), so one catch-up may not see the last cycle's events yet.
 */
const caughtUp = async (fx: CycleFixture, rows: number) => {
  for (let i = 0; ; i++) {
    await fx.runner.catchUp();
    if ((await trainingRows(fx.pool)).length >= rows) return;
    if (i > 300) throw new Error(`the training set did not reach ${rows} rows`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('daily cycle on the worker pool = in process (real candles)', function () {
  this.timeout(600_000);
  let reference: CycleFixture;
  let pooled: CycleFixture;
  let pool: WorkerPool;
  const reports: { reference: DailyCycleReport[]; pooled: DailyCycleReport[] } = { reference: [], pooled: [] };

  before(async () => {
    reference = await openCycleFixture('cycle_ref', FILES, DAY1);
    pooled = await openCycleFixture('cycle_pool', FILES, DAY1);
    pool = new WorkerPool({
      size: 2,
      loadSeries: async (exchange, symbol, interval) => {
        throw new Error(`the cycle gives its own series: ${exchange}:${symbol}:${interval} was not to be loaded`);
      },
    });
    for (const [d, day] of [DAY1, DAY2].entries()) {
      // Day 2 learns from day 1's training rows: both read models must hold them all before it starts.
      await Promise.all([caughtUp(reference, d * N), caughtUp(pooled, d * N)]);
      reference.clock.set(day);
      pooled.clock.set(day);
      reports.reference.push(await runDay(reference.deps, { ...OPTIONS, asOf: day }));
      reports.pooled.push(await runDay({ ...pooled.deps, backtests: poolWindowBacktests(pool) }, { ...OPTIONS, asOf: day }));
    }
    EVENTS += reports.reference.reduce((k, r) => k + r.promoted.length, 0);
  });
  after(async () => {
    await pool?.close();
    await reference?.close();
    await pooled?.close();
  });

  it('appends the same events, with the same data, as the in-process backtests, day after day', async () => {
    const [a, b] = [await logOf(reference), await logOf(pooled)];
    expect(a.length).to.equal(EVENTS);
    expect(b.length).to.equal(a.length);
    for (let i = 0; i < a.length; i++) expect(b[i], `event ${i}: ${a[i]!.stream} ${a[i]!.type}`).to.deep.equal(a[i]);
    // Both timeframes were backtested, and the second day learned from the first.
    const timeframes = new Set(a.filter((e) => e.type === 'StrategyGenerated').map((e) => (e.data as { genome: Genome }).genome.timeframe));
    expect([...timeframes].sort()).to.deep.equal(['1h', '4h']);
    expect(reports.pooled[1]!.historySize).to.equal(N);
    expect(reports.pooled.map((r) => r.ranking)).to.deep.equal(reports.reference.map((r) => r.ranking));
  });

  it('stores the same metric keys as before: the mean metrics, symbols and totalTrades, finite only', async () => {
    const backtested = (await logOf(pooled)).filter((e) => e.type === 'StrategyBacktested');
    expect(backtested).to.have.length(2 * N);
    for (const e of backtested) {
      const r = (e.data as { result: { metrics: Record<string, number>; outOfSampleMetrics?: Record<string, number> } }).result;
      expect(r.metrics).to.include.keys('totalReturn', 'tradeCount', 'bars', 'symbols', 'totalTrades');
      expect(r.metrics).to.not.have.property('meanFinalEquity');
      for (const v of [...Object.values(r.metrics), ...Object.values(r.outOfSampleMetrics ?? {})]) expect(Number.isFinite(v)).to.equal(true);
    }
  });
});

describe('window backtests on the pool = in process (port level, real candles)', function () {
  this.timeout(120_000);
  let pool: WorkerPool;
  let request: WindowBacktestRequest;
  const asOf = Date.UTC(2023, 5, 1, 3);
  const windows = [
    { from: asOf - 74 * 86_400_000, to: asOf - 14 * 86_400_000 },
    { from: asOf - 14 * 86_400_000, to: asOf },
    { from: asOf + 86_400_000, to: asOf + 2 * 86_400_000 }, // after the series' end: an empty window, a failed backtest
  ];

  before(() => {
    // The cycle's series: cut at asOf (open time + 1 h ≤ asOf), 4h resampled from them.
    const cut = (symbol: string) => {
      const s = loadCandles(`binance_${symbol}_1h.csv.gz`, symbol);
      return truncate(
        s,
        s.openTime.findIndex((t) => t + 3_600_000 > asOf),
      );
    };
    const h1 = { BTCUSDT: cut('BTCUSDT'), ETHUSDT: cut('ETHUSDT') };
    const h4 = Object.fromEntries(
      Object.entries(h1).map(([k, s]) => {
        const r = resample(s, '4h', { asOf });
        if (either.isLeft(r)) throw new Error(r.left);
        return [k, completeOnly(r.right)];
      }),
    );
    const genomes = [
      ...randomGenomes(11, 6, ['BTCUSDT', 'ETHUSDT']),
      ...randomGenomes(12, 4, ['ETHUSDT']).map((g): Genome => ({ ...g, timeframe: '4h' })),
      { ...randomGenomes(13, 1, ['BTCUSDT'])[0]!, timeframe: '1d' } as Genome, // no 1d series given: NO_SERIES
    ];
    request = {
      exchange: 'binance',
      series: new Map([
        ['1h', h1],
        ['4h', h4],
      ]),
      genomes,
      windows,
    };
    pool = new WorkerPool({ size: 2, loadSeries: notToBeLoaded });
  });
  after(async () => {
    await pool?.close();
  });
  const notToBeLoaded = async (): Promise<never> => {
    throw new Error('the caller gives its own series: none is to be loaded');
  };

  it('gives the reference metrics (finite ones) and fingerprints, and fails the same backtests with the same codes', async () => {
    const expected = await inProcessWindowBacktests(dataFingerprint).run(request);
    const got = await poolWindowBacktests(pool).run(request);
    expect(got).to.have.length(expected.length);
    const finite = (r: WindowRun) =>
      r.ok ? { ...r, metrics: Object.fromEntries(Object.entries(r.metrics).filter(([, v]) => Number.isFinite(v))) } : { ok: false, code: r.code };
    got.forEach((runs, g) => expect(runs.map(finite), `genome ${g}`).to.deep.equal(expected[g]!.map(finite)));
    expect(got.flat().filter((r) => r.ok).length).to.be.greaterThan(10);
    expect(got.map((runs) => runs[2]!.ok)).to.deep.equal(got.map(() => false)); // the window after the data
    expect(got.at(-1)!.map((r) => (r.ok ? 'ok' : r.code))).to.deep.equal(['NO_SERIES', 'NO_SERIES', 'NO_SERIES']);
    // 1h and 4h runs of the same symbols hash different candles.
    const fp = new Set(got.flat().flatMap((r) => (r.ok ? [r.dataFingerprint] : [])));
    expect(fp.size).to.be.greaterThan(1);
  });

  it('rejects when a worker dies (no result with a hole in it), and the pool keeps working', async () => {
    const crashing = new WorkerPool({ size: 2, testExitOnJobIdPrefix: 'window-backtest:3:', loadSeries: notToBeLoaded });
    try {
      let err: unknown;
      await poolWindowBacktests(crashing)
        .run(request)
        .catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(WorkerCrashedError);
      const again = await poolWindowBacktests(crashing).run({ ...request, genomes: request.genomes.slice(0, 2) });
      expect(again.flat().map((r) => r.ok)).to.deep.equal([true, true, false, true, true, false]);
    } finally {
      await crashing.close();
    }
  });
});
