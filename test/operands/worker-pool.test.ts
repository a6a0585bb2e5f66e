// A job whose genome reads Fear & Greed, another symbol's return and a recorded prediction runs on the real worker
// pool (threads) with its operand data loaded from the real stores (PostgreSQL daily series and candles, an
// in-memory PredictionSource over a hand-made series) and gives exactly the in-process outcome; a pool with no
// sources still refuses it (OPERAND_DATA_MISSING, not loaded) rather than running it without its data.
import { expect } from 'chai';
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import { WARMUP_BARS, runBacktestInProcess } from '../../application/backtest/run-in-process.js';
import { runJob } from '../../infrastructure/backtest/run-job.js';
import { WorkerPool } from '../../infrastructure/backtest/worker-pool.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { FEAR_GREED, utcDayOf } from '../../domain/market/daily-series.js';
import { Genome } from '../../domain/strategy/genome.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { H, MemoryPredictionSource, btc, ethusdt1h, handMadePredictions, operandGenome, realObservations } from './support.js';
import { candlesOf } from '../support/candle-rows.js';

const FROM = Date.UTC(2022, 5, 1);
const TO = Date.UTC(2022, 6, 1);

describe('operand data through the worker pool (PostgreSQL, worker threads)', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let candles: PostgresCandleStore;
  let daily: PostgresDailySeriesStore;
  let pool: WorkerPool;
  let bare: WorkerPool;
  const predictions = new MemoryPredictionSource({ 'btc-1h': handMadePredictions(btc()) });
  const decoded = Genome.decode({
    ...operandGenome({ daily: 'fear_greed', measure: 'level' }, 30, 20),
    entry: {
      mode: 'all',
      conditions: [
        { left: { daily: 'fear_greed', measure: 'level' }, op: 'lt', right: { value: 30 } },
        { left: { crossReturn: 6, symbol: 'BTCUSDT' }, op: 'gt', right: { value: 0 } },
        { left: { prediction: 'up_probability' }, op: 'gt', right: { value: 0.5 } },
      ],
    },
  });
  if (decoded._tag === 'Left') throw new Error('bad test genome');
  const job: BacktestJob = {
    jobId: '00000000-0000-4000-8000-000000000002',
    genome: decoded.right,
    exchange: 'binance',
    symbols: ['ETHUSDT'],
    interval: '1h',
    period: { from: FROM, to: TO },
  };

  before(async () => {
    db = await freshDatabase('operand_pool');
    candles = new PostgresCandleStore({ connectionString: db.url });
    daily = new PostgresDailySeriesStore({ connectionString: db.url });
    // ETH stored from exactly the in-process warm-up start: the pool (which reads the whole stored series) and the
    // in-process run (which reads from the warm-up start) see the same bars.
    await candles.writeCandles({ exchange: 'binance', symbol: 'ETHUSDT', interval: '1h' }, candlesOf(ethusdt1h(), FROM - WARMUP_BARS * H, TO));
    await candles.writeCandles({ exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' }, candlesOf(btc(), Date.UTC(2021, 7, 1), TO));
    await daily.write((await realObservations('fear_greed')).filter((o) => o.day >= '2022-01-01' && o.day < '2022-08-01'));
    const loadSeries = (exchange: string, symbol: string, interval: '1h') => candles.readSeries({ exchange, symbol, interval });
    pool = new WorkerPool({ size: 2, loadSeries: loadSeries as never, operands: { candles, daily, predictions } });
    bare = new WorkerPool({ size: 1, loadSeries: loadSeries as never });
  });
  after(async () => {
    await pool?.close();
    await bare?.close();
    await candles.close();
    await daily.close();
    await db.drop();
  });

  it('runs the job on a worker thread with the loaded data and equals the in-process outcome', async () => {
    const pooled = await pool.run(job);
    const inProcess = await runBacktestInProcess({ candles, runJob, operands: { daily, predictions } }, job);
    if (!pooled.ok) throw new Error(`${pooled.code}: ${pooled.error}`);
    if (!inProcess.ok) throw new Error(`${inProcess.code}: ${inProcess.error}`);
    // Not a vacuous equality: the three conditions together still let trades through.
    expect(inProcess.result.perSymbol['ETHUSDT']!.trades).to.be.greaterThan(0);
    expect(pooled).to.deep.equal(inProcess);
  });

  it('gives the same outcome when the caller hands the data over itself', async () => {
    const fng = await daily.read(FEAR_GREED, { from: utcDayOf(Date.UTC(2021, 0, 1)), to: utcDayOf(TO) });
    const withData = await pool.run(job, undefined, {
      daily: { fear_greed: { value: fng.value, publishedAt: fng.publishedAt } },
      candles: { BTCUSDT: await candles.readSeries({ exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' }, { from: FROM - WARMUP_BARS * H, to: TO }) },
      predictions: { 'btc-1h': handMadePredictions(btc()) },
    });
    const inProcess = await runBacktestInProcess({ candles, runJob, operands: { daily, predictions } }, job);
    expect(withData).to.deep.equal(inProcess);
  });

  it('a pool without operand sources refuses the job (OPERAND_DATA_MISSING, not loaded)', async () => {
    const outcome = await bare.run(job);
    expect(outcome).to.deep.include({ ok: false, code: 'OPERAND_DATA_MISSING' });
    if (!outcome.ok) expect(outcome.error).to.contain('not loaded');
  });
});
