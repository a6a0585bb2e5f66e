// Walk-forward analysis and grid search on the real BTCUSDT 1h candles (small grids), and their job results.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { runBacktestInProcess } from '../../application/backtest/run-in-process.js';
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import { backtestGenome } from '../../domain/backtest/engine.js';
import { BacktestJobResultCodec } from '../../domain/backtest/events.js';
import { applyParams, expandGrid, gridSearch } from '../../domain/backtest/grid-search.js';
import { walkForward, walkForwardWindows } from '../../domain/backtest/walk-forward.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { runJob } from '../../infrastructure/backtest/run-job.js';
import { btcusdt1h, truncate } from '../indicators/real-candles.js';

const FROM = Date.UTC(2022, 0, 1);
const TO = Date.UTC(2022, 6, 1);
const GRID = { 'fast.period': [5, 10, 20], 'slow.period': [30, 50] };

describe('walk-forward analysis and grid search', () => {
  let btc: CandleSeries;
  before(() => {
    btc = btcusdt1h();
  });

  it('windows: rolling and anchored, out-of-sample parts back to back and never overlapping', () => {
    const rolling = walkForwardWindows(100, 1100, { inSample: 300, outOfSample: 100 });
    expect(rolling).to.have.length(7);
    rolling.forEach((w, i) => {
      expect(w.inSample.to).to.equal(w.outOfSample.from);
      expect(w.inSample.to - w.inSample.from).to.equal(300);
      if (i > 0) expect(w.outOfSample.from).to.equal(rolling[i - 1]!.outOfSample.to);
    });
    expect(rolling.at(-1)!.outOfSample.to).to.be.at.most(1100);
    const anchored = walkForwardWindows(100, 1100, { inSample: 300, outOfSample: 100, anchored: true });
    expect(anchored.map((w) => w.inSample.from)).to.deep.equal(anchored.map(() => 100));
    expect(anchored.map((w) => w.outOfSample)).to.deep.equal(rolling.map((w) => w.outOfSample));
    expect(() => walkForwardWindows(0, 1000, { inSample: 300, outOfSample: 100, step: 50 })).to.throw(/overlap/);
  });

  it('walk-forward with an in-sample grid on BTCUSDT 1h: every window chooses, the out-of-sample parts cover the range', () => {
    const genome = smaCrossoverGenome(10, 30);
    const result = walkForward(genome, { BTCUSDT: btc }, new IndicatorCache(), { inSample: 720, outOfSample: 168, grid: GRID }, { from: FROM, to: TO });
    const bars = (TO - FROM) / 3_600_000;
    expect(result.windows).to.have.length(Math.floor((bars - 720 - 168) / 168) + 1);
    expect(result.windows[0]!.inSample.from).to.equal(FROM);
    result.windows.forEach((w, i) => {
      expect(w.inSample.to).to.equal(w.outOfSample.from);
      expect(w.outOfSample.bars).to.equal(168);
      if (i > 0) expect(w.outOfSample.from).to.equal(result.windows[i - 1]!.outOfSample.to);
      expect(w.params).to.have.keys('fast.period', 'slow.period');
      expect(w.inSampleScore).to.equal(w.inSampleMetrics['sharpe']);
      for (const v of [...Object.values(w.inSampleMetrics), ...Object.values(w.outOfSampleMetrics)]) expect(Number.isFinite(v)).to.equal(true);
    });
    const oos = result.outOfSample.perSymbol['BTCUSDT']!;
    expect(oos.equity.length).to.equal(result.windows.length * 168);
    expect(oos.openTime[0]).to.equal(result.windows[0]!.outOfSample.from);
    for (let i = 1; i < oos.openTime.length; i++) expect(oos.openTime[i]! - oos.openTime[i - 1]!).to.equal(3_600_000);
    expect(result.outOfSample.metrics['sharpe']).to.be.a('number');
    expect(result.outOfSample.metrics['maxDrawdown']).to.be.within(0, 1);

    // Out-of-sample parts never see their own bars: the first window's choice is the same on data cut at its OOS start.
    const cut = btc.openTime.findIndex((t) => t >= result.windows[0]!.outOfSample.from);
    const early = walkForward(
      genome,
      { BTCUSDT: truncate(btc, cut + 168) },
      new IndicatorCache(),
      { inSample: 720, outOfSample: 168, grid: GRID },
      { from: FROM },
    );
    expect(early.windows[0]!.params).to.deep.equal(result.windows[0]!.params);
  });

  it('grid search: invalid cells are skipped with the reason, the best cell equals a direct backtest of its parameters', () => {
    const genome = smaCrossoverGenome(10, 30);
    const grid = { 'indicators.fast.params.period': [5, 10, 20, 0], 'slow.period': [30, 50] };
    expect(expandGrid(grid)).to.have.length(8);
    const search = gridSearch(genome, grid, { BTCUSDT: btc }, new IndicatorCache(), { from: FROM, to: TO });
    const skipped = search.cells.filter((c) => c.skipped !== undefined);
    expect(skipped).to.have.length(2);
    expect(skipped[0]!.skipped).to.match(/indicators\.0\.params\.period/);
    expect(
      search.cells
        .filter((c) => c.rank !== undefined)
        .map((c) => c.rank)
        .sort(),
    ).to.deep.equal([1, 2, 3, 4, 5, 6]);
    const best = search.best!;
    const direct = backtestGenome(
      smaCrossoverGenome(best.params['indicators.fast.params.period'], best.params['slow.period']),
      { BTCUSDT: btc },
      new IndicatorCache(),
      { from: FROM, to: TO },
    );
    expect(direct.aggregate.meanMetrics['sharpe']).to.equal(best.score);
    for (const c of search.cells) if (c.score !== undefined) expect(c.score).to.be.at.most(best.score);
    // A path the genome does not have is a reason too.
    const missing = applyParams(genome, { 'indicators.nope.params.period': 5 });
    expect(either.isLeft(missing) && missing.left).to.match(/no "indicators\.nope"/);
  });

  it('walk-forward and grid-search jobs run in process and their results decode with the extended codec', async () => {
    const candles = {
      readSeries: async (_k: unknown, r?: { from?: number; to?: number }) => {
        const a = btc.openTime.findIndex((t) => t >= (r?.from ?? 0));
        const b = btc.openTime.findIndex((t) => t >= (r?.to ?? Infinity));
        const s = truncate(btc, b < 0 ? btc.length : b);
        const sub = (x: Float64Array) => x.subarray(a);
        return {
          key: btc.key,
          length: s.length - a,
          openTime: sub(s.openTime),
          open: sub(s.open),
          high: sub(s.high),
          low: sub(s.low),
          close: sub(s.close),
          volume: sub(s.volume),
          quoteVolume: sub(s.quoteVolume),
          trades: sub(s.trades),
        };
      },
    };
    const job: BacktestJob = {
      jobId: 'job-wf',
      genome: smaCrossoverGenome(10, 30),
      exchange: 'binance',
      symbols: ['BTCUSDT'],
      interval: '1h',
      period: { from: FROM, to: TO },
    };
    const deps = { candles, runJob };
    const wf = await runBacktestInProcess(deps, job, { kind: 'walk_forward', walkForward: { inSample: 720, outOfSample: 168, anchored: true } });
    if (!wf.ok) throw new Error(wf.error);
    expect(either.isRight(BacktestJobResultCodec.decode(wf.result))).to.equal(true);
    expect(wf.result.equity['BTCUSDT']!.length).to.be.within(2, 500);
    const gs = await runBacktestInProcess(deps, { ...job, jobId: 'job-gs' }, { kind: 'grid_search', gridSearch: { grid: GRID, metric: 'maxDrawdown' } });
    if (!gs.ok) throw new Error(gs.error);
    const decoded = BacktestJobResultCodec.decode(gs.result);
    if (either.isLeft(decoded)) throw new Error('does not decode');
    const analysis = decoded.right.analysis!;
    expect(analysis.kind).to.equal('grid_search');
    // maxDrawdown ranks ascending.
    if (analysis.kind === 'grid_search') {
      const scores = analysis.cells.map((c) => c.score!);
      expect(analysis.best!.score).to.equal(Math.min(...scores));
    }
    const tooShort = await runBacktestInProcess(
      deps,
      { ...job, period: { from: FROM, to: FROM + 100 * 3_600_000 } },
      { kind: 'walk_forward', walkForward: { inSample: 720, outOfSample: 168 } },
    );
    expect(tooShort.ok === false && tooShort.code).to.equal('RANGE_TOO_SHORT');
  });
});
