// The cycle's window backtests with operand data (real BTCUSDT/ETHUSDT 1h candles, the real Fear & Greed file): on
// the worker pool, each job carrying only what its genome reads, they equal the in-process reference run for run.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { inProcessWindowBacktests } from '../../application/learning/in-process-window-backtests.js';
import type { WindowBacktestRequest } from '../../application/ports/window-backtests.js';
import { dataFingerprint } from '../../infrastructure/backtest/job-runner.js';
import { poolWindowBacktests } from '../../infrastructure/backtest/pool-window-backtests.js';
import { WorkerPool } from '../../infrastructure/backtest/worker-pool.js';
import { Genome } from '../../domain/strategy/genome.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { DAY, btc, ethusdt1h, operandGenome, realDaily } from './support.js';

const genome = (u: unknown): Genome => {
  const d = Genome.decode(u);
  if (either.isLeft(d)) throw new Error('bad test genome');
  return d.right;
};

describe('window backtests with operand data: pool = in process (real data)', function () {
  this.timeout(180_000);
  let pool: WorkerPool;
  before(async () => {
    pool = new WorkerPool({ size: 2, loadSeries: () => Promise.reject(new Error('only given series')) });
    await pool.ready();
  });
  after(async () => {
    await pool?.close();
  });

  it('gives the same runs for Fear & Greed, cross-asset and plain genomes', async () => {
    const to = Date.UTC(2023, 5, 1);
    const from = to - 120 * DAY;
    const cut = (s: ReturnType<typeof btc>) => {
      let a = 0;
      while (s.openTime[a]! < from) a++;
      let b = a;
      while (b < s.length && s.openTime[b]! < to) b++;
      const f = (x: Float64Array) => x.slice(a, b);
      return {
        ...s,
        length: b - a,
        openTime: f(s.openTime),
        open: f(s.open),
        high: f(s.high),
        low: f(s.low),
        close: f(s.close),
        volume: f(s.volume),
        quoteVolume: f(s.quoteVolume),
        trades: f(s.trades),
      };
    };
    const request: WindowBacktestRequest = {
      exchange: 'binance',
      series: new Map([['1h', { BTCUSDT: cut(btc()), ETHUSDT: cut(ethusdt1h()) }]]),
      genomes: [
        genome({ ...operandGenome({ daily: 'fear_greed', measure: 'level' }, 40, 60), symbols: ['ETHUSDT'] }),
        genome({ ...operandGenome({ crossReturn: 6, symbol: 'BTCUSDT' }, 0.01, -0.01), symbols: ['ETHUSDT'] }),
        smaCrossoverGenome(5, 20, ['BTCUSDT']),
      ],
      windows: [
        { from: to - 74 * DAY, to: to - 14 * DAY },
        { from: to - 14 * DAY, to },
      ],
      operands: { daily: { fear_greed: await realDaily('fear_greed') } },
    };
    const pooled = await poolWindowBacktests(pool).run(request);
    const reference = await inProcessWindowBacktests(dataFingerprint).run(request);
    expect(pooled).to.deep.equal(reference);
    for (const runs of reference) for (const r of runs) expect(r.ok, JSON.stringify(r)).to.equal(true);
    const trades = reference.flatMap((runs) => runs.map((r) => (r.ok ? (r.metrics['totalTrades'] ?? 0) : 0)));
    expect(trades.slice(0, 4).some((n) => n > 0)).to.equal(true);
  });
});
