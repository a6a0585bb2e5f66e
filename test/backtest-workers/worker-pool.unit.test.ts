// The worker-thread pool gives exactly what the main thread gives, spreads jobs over every worker, returns them in
// input order, runs jobs over series a caller gives (beside the store's) and survives a worker that dies mid-job.
import { expect } from 'chai';
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import { backtestGenome } from '../../domain/backtest/engine.js';
import { randomGenomes } from '../../domain/backtest/random-genome.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { seriesRange, type CandleSeries } from '../../domain/market/candles.js';
import { dataFingerprint, downsampleEquity, MAX_EQUITY_POINTS, runBacktestJob } from '../../infrastructure/backtest/job-runner.js';
import { PoolClosedError, WorkerCrashedError, WorkerPool } from '../../infrastructure/backtest/worker-pool.js';
import { loadCandles } from '../indicators/real-candles.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
const DAY = 86_400_000;

describe('backtest worker pool', function () {
  this.timeout(120_000);
  let series: Record<string, CandleSeries>;
  let pool: WorkerPool;
  let loads = 0;
  let from: number;
  let to: number;

  const job = (i: number, genome: BacktestJob['genome'], jobId = `job-${i}`): BacktestJob => ({
    jobId,
    genome,
    exchange: 'binance',
    symbols: [...SYMBOLS],
    interval: '1h',
    period: { from, to },
  });

  before(async () => {
    series = Object.fromEntries(SYMBOLS.map((s) => [s, loadCandles(`binance_${s}_1h.csv.gz`, s)]));
    const btc = series['BTCUSDT']!;
    to = btc.openTime[btc.length - 1]! + 3_600_000;
    from = to - 120 * DAY;
    pool = new WorkerPool({
      size: 2,
      testExitOnJobIdPrefix: 'test-exit:',
      loadSeries: async (exchange, symbol, interval) => {
        loads++;
        const s = series[symbol];
        if (s === undefined || exchange !== 'binance' || interval !== '1h') throw new Error(`no data for ${exchange}:${symbol}:${interval}`);
        return s;
      },
    });
    await pool.ready();
    await pool.preload(SYMBOLS.map((symbol) => ({ exchange: 'binance', symbol, interval: '1h' as const })));
  });

  after(async () => {
    await pool?.close();
  });

  it('gives exactly the main thread results for random genomes on real BTC/ETH data', async () => {
    const genomes = randomGenomes(7, 24, SYMBOLS);
    const jobs = genomes.map((g, i) => job(i, g));
    const pooled = await pool.runMany(jobs);
    const cache = new IndicatorCache();
    jobs.forEach((j, i) => {
      const local = runBacktestJob(j, series, cache);
      expect(pooled[i], j.jobId).to.deep.equal(local);
      // and the runner reports what the engine computed
      const direct = backtestGenome(genomes[i], series, new IndicatorCache(), { from, to });
      const out = pooled[i]!;
      if (!out.ok) throw new Error(`${j.jobId}: ${out.error}`);
      expect(out.result.trades.length).to.equal(direct.aggregate.totalTrades);
      for (const s of SYMBOLS) {
        expect(out.result.perSymbol[s]!.metrics).to.deep.equal(direct.perSymbol[s]!.storedMetrics);
        const eq = out.result.equity[s]!;
        expect(eq.length).to.be.at.most(MAX_EQUITY_POINTS);
        expect(eq[eq.length - 1]![1]).to.equal(direct.perSymbol[s]!.equity[direct.perSymbol[s]!.equity.length - 1]);
      }
      for (const v of Object.values(out.result.metrics)) expect(Number.isFinite(v)).to.equal(true);
    });
    expect(loads).to.equal(SYMBOLS.length); // each series loaded once, then shared
  });

  it('spreads many jobs over all workers and returns them in input order', async () => {
    const before = pool.stats().jobsDone.slice();
    const genomes = randomGenomes(11, 60, SYMBOLS);
    const jobs = genomes.map((g, i) => job(i, g, `many-${i}`));
    const out = await pool.runMany(jobs);
    expect(out.map((o) => (o.ok ? o.result.jobId : o.jobId))).to.deep.equal(jobs.map((j) => j.jobId));
    const done = pool.stats().jobsDone.map((n, i) => n - (before[i] ?? 0));
    expect(done.reduce((a, b) => a + b, 0)).to.equal(60);
    for (const n of done) expect(n, `jobs per worker ${done.join(',')}`).to.be.greaterThan(5);
  });

  it('reports engine errors as outcomes, not crashes', async () => {
    const [g] = randomGenomes(3, 1, SYMBOLS);
    const [empty] = await pool.runMany([{ ...job(0, g!, 'empty'), period: { from: 0, to: 1000 } }]);
    expect(empty).to.include({ ok: false, code: 'EMPTY_WINDOW', jobId: 'empty' });
    // a series the loader cannot give: the run rejects (infrastructure), it is not recorded as a result
    let err: unknown;
    await pool.run({ ...job(0, g!, 'missing'), symbols: ['XRPUSDT'] }).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/no data for binance:XRPUSDT:1h/);
  });

  it('runs jobs over series the caller gives, exactly as given, beside the stored series of the same key', async () => {
    // The caller's series start later than the stored ones (another warm-up): a different result and fingerprint.
    const later = (s: CandleSeries, start: number): CandleSeries => seriesRange(s, start, s.length);
    const given = Object.fromEntries(SYMBOLS.map((s) => [s, later(series[s]!, series[s]!.length - 120 * 24 - 300)]));
    const loadsBefore = loads;
    const genomes = randomGenomes(21, 6, SYMBOLS);
    const onGiven = await Promise.all(genomes.map((g, i) => pool.run(job(i, g, `given-${i}`), given)));
    const onStored = await Promise.all(genomes.map((g, i) => pool.run(job(i, g, `given-${i}`))));
    const cache = new IndicatorCache();
    genomes.forEach((g, i) => {
      expect(onGiven[i]).to.deep.equal(runBacktestJob(job(i, g, `given-${i}`), given, cache));
      expect(onStored[i]).to.deep.equal(runBacktestJob(job(i, g, `given-${i}`), series, cache));
      const [a, b] = [onGiven[i]!, onStored[i]!];
      if (!a.ok || !b.ok) throw new Error('both runs must succeed');
      expect(a.result.dataFingerprint).to.not.equal(b.result.dataFingerprint);
    });
    expect(loads).to.equal(loadsBefore); // the given series were never loaded from the store
    // Forgotten by the workers, then shared again when given again.
    pool.forget(Object.values(given));
    expect(await pool.run(job(0, genomes[0]!, 'given-again'), given)).to.deep.equal(
      runBacktestJob(job(0, genomes[0]!, 'given-again'), given, new IndicatorCache()),
    );
    pool.forget(Object.values(given));
    // A symbol the caller did not give fails the job, it is not loaded from the store.
    const missing = await pool.run(job(0, genomes[0]!, 'given-missing'), { BTCUSDT: given['BTCUSDT']! });
    expect(missing).to.include({ ok: false, code: 'MISSING_SERIES' });
  });

  it('replaces a worker that dies mid-job, fails that job clearly and keeps working', async () => {
    const genomes = randomGenomes(5, 10, SYMBOLS);
    let err: unknown;
    const t0 = Date.now();
    await pool.run(job(0, genomes[0]!, 'test-exit:1')).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(WorkerCrashedError);
    expect(String(err)).to.match(/WORKER_CRASHED.*test-exit:1.*exit code 3/);
    expect(Date.now() - t0).to.be.below(10_000);
    // in a batch: the crashed job is reported, the others complete (on the replacement worker too)
    const jobs = genomes.map((g, i) => job(i, g, i === 4 ? 'test-exit:2' : `after-${i}`));
    const out = await pool.runMany(jobs);
    expect(out[4]).to.include({ ok: false, code: 'WORKER_CRASHED', jobId: 'test-exit:2' });
    const cache = new IndicatorCache();
    out.forEach((o, i) => {
      if (i !== 4) expect(o).to.deep.equal(runBacktestJob(jobs[i]!, series, cache));
    });
    await pool.ready();
    expect(pool.stats().workers).to.equal(2);
  });
});

describe('closing the backtest worker pool', function () {
  this.timeout(60_000);
  it('rejects the work still pending (queued or running) with PoolClosedError, and any later run', async () => {
    const btc = loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT');
    const pool = new WorkerPool({ size: 1, loadSeries: async () => btc });
    await pool.ready();
    const end = btc.openTime[btc.length - 1]! + 3_600_000;
    const genomes = randomGenomes(9, 6, ['BTCUSDT']);
    const pending = genomes.map((genome, i) =>
      pool.run(
        { jobId: `closing-${i}`, genome, exchange: 'binance', symbols: ['BTCUSDT'], interval: '1h', period: { from: end - 400 * DAY, to: end } },
        i % 2 === 0 ? { BTCUSDT: btc } : undefined,
      ),
    );
    await new Promise((r) => setImmediate(r)); // the jobs are queued and handed out
    await pool.close();
    const settled = await Promise.allSettled(pending);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).to.be.instanceOf(PoolClosedError);
    expect(settled.filter((s) => s.status === 'rejected').length).to.be.greaterThan(0);
    let late: unknown;
    await pool
      .run({ jobId: 'late', genome: genomes[0]!, exchange: 'binance', symbols: ['BTCUSDT'], interval: '1h', period: { from: end - DAY, to: end } })
      .catch((e: unknown) => (late = e));
    expect(late).to.be.instanceOf(PoolClosedError);
  });
});

describe('job runner', () => {
  it('a summary job gives the same metrics as a full one, without the trade list and equity curves', () => {
    const series = { BTCUSDT: loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT') };
    const [genome] = randomGenomes(7, 1, ['BTCUSDT']);
    const base: BacktestJob = {
      jobId: 'summary-1',
      genome: genome!,
      exchange: 'binance',
      symbols: ['BTCUSDT'],
      interval: '1h',
      period: { from: 0, to: Number.MAX_SAFE_INTEGER },
    };
    const full = runBacktestJob(base, series, new IndicatorCache());
    const summary = runBacktestJob({ ...base, detail: 'summary' }, series, new IndicatorCache());
    if (!full.ok || !summary.ok) throw new Error('both runs must succeed');
    expect(summary.result.metrics).to.deep.equal(full.result.metrics);
    expect(summary.result.perSymbol).to.deep.equal(full.result.perSymbol);
    expect(summary.result.dataFingerprint).to.equal(full.result.dataFingerprint);
    expect(summary.result.trades).to.deep.equal([]);
    expect(summary.result.equity).to.deep.equal({});
    expect(full.result.trades.length).to.equal(full.result.perSymbol['BTCUSDT']!.trades);
  });

  it('down-samples equity keeping first, last, and each bucket extreme', () => {
    const n = 10_000;
    const eq = new Float64Array(n);
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      eq[i] = 100 + Math.sin(i / 50) * 10 + (i === 7777 ? -60 : 0);
      t[i] = i;
    }
    const d = downsampleEquity(eq, t);
    expect(d.length).to.be.at.most(500);
    expect(d[0]).to.deep.equal([0, eq[0]]);
    expect(d[d.length - 1]).to.deep.equal([n - 1, eq[n - 1]]);
    expect(Math.min(...d.map((p) => p[1]))).to.equal(Math.min(...eq));
    expect(Math.max(...d.map((p) => p[1]))).to.equal(Math.max(...eq));
    for (let i = 1; i < d.length; i++) expect(d[i]![0]).to.be.greaterThan(d[i - 1]![0]);
  });

  it('fingerprints the candles used: the same data gives the same hash, a changed price another', () => {
    const btc = loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT');
    const j = { exchange: 'binance', interval: '1h' as const, symbols: ['BTCUSDT'] };
    const a = dataFingerprint(j, { BTCUSDT: btc }, { BTCUSDT: 1000 });
    const copy = { ...btc, close: btc.close.slice() };
    expect(dataFingerprint(j, { BTCUSDT: copy }, { BTCUSDT: 1000 })).to.equal(a);
    const changed = { ...btc, close: btc.close.slice() }; // (series are never mutated in place: digests are cached per object)
    changed.close[500] = changed.close[500]! + 0.01;
    expect(dataFingerprint(j, { BTCUSDT: changed }, { BTCUSDT: 1000 })).to.not.equal(a);
    expect(dataFingerprint(j, { BTCUSDT: changed }, { BTCUSDT: 400 })).to.equal(dataFingerprint(j, { BTCUSDT: btc }, { BTCUSDT: 400 }));
    expect(a).to.match(/^[0-9a-f]{64}$/);
  });
});
