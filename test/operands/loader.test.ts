// Loading operand data from the real stores (PostgreSQL: the daily series store and the candle store) for a
// backtest job run in process, with the predictions from an in-memory PredictionSource over a hand-made series:
// a job whose window has the data runs and matches the same backtest given the data directly; one whose window has
// none, or with no port wired, fails OPERAND_DATA_MISSING naming the operand.
import { expect } from 'chai';
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import { runBacktestInProcess } from '../../application/backtest/run-in-process.js';
import { runJob } from '../../infrastructure/backtest/run-job.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { compileGenome } from '../../domain/backtest/compile.js';
import { backtestSymbol } from '../../domain/backtest/engine.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { Genome } from '../../domain/strategy/genome.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { H, MemoryPredictionSource, btc, ethusdt1h, handMadePredictions, operandGenome, publishedValues, realObservations } from './support.js';
import { candlesOf } from '../support/candle-rows.js';

const FROM = Date.UTC(2022, 5, 1);
const TO = Date.UTC(2022, 6, 1);

describe('operand data from the stores (PostgreSQL)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let candles: PostgresCandleStore;
  let daily: PostgresDailySeriesStore;
  const predictions = new MemoryPredictionSource({ 'btc-1h': handMadePredictions(btc()) });
  const genome = Genome.decode({
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
  if (genome._tag === 'Left') throw new Error('bad test genome');
  const job = (over: Partial<BacktestJob> = {}): BacktestJob => ({
    jobId: '00000000-0000-4000-8000-000000000001',
    genome: genome.right,
    exchange: 'binance',
    symbols: ['ETHUSDT'],
    interval: '1h',
    period: { from: FROM, to: TO },
    ...over,
  });

  before(async () => {
    db = await freshDatabase('operand_loader');
    candles = new PostgresCandleStore({ connectionString: db.url });
    daily = new PostgresDailySeriesStore({ connectionString: db.url });
    for (const s of [ethusdt1h(), btc()])
      await candles.writeCandles({ exchange: 'binance', symbol: s.key.symbol, interval: '1h' }, candlesOf(s, Date.UTC(2021, 7, 1), TO));
    // Fear & Greed stored from 2022-01-01 only: a window before it has none.
    const fng = (await realObservations('fear_greed')).filter((o) => o.day >= '2022-01-01' && o.day < '2022-08-01');
    await daily.write(fng);
  });
  after(async () => {
    await candles.close();
    await daily.close();
    await db.drop();
  });

  it('runs a job with daily, cross-asset and prediction operands, as the engine does with the data given directly', async () => {
    const outcome = await runBacktestInProcess({ candles, runJob, operands: { daily, predictions } }, job());
    if (!outcome.ok) throw new Error(`${outcome.code}: ${outcome.error}`);
    const fng = (await realObservations('fear_greed')).filter((o) => o.day >= '2022-01-01' && o.day < '2022-08-01');
    const eth = ethusdt1h();
    const direct = backtestSymbol(compileGenome(genome.right), eth, new IndicatorCache(), {
      from: FROM,
      to: TO,
      operands: { daily: { fear_greed: publishedValues(fng) }, candles: { BTCUSDT: btc() }, predictions: { 'btc-1h': handMadePredictions(btc()) } },
    });
    expect(outcome.result.perSymbol['ETHUSDT']!.trades).to.equal(direct.trades.length);
    expect(direct.trades.length).to.be.greaterThan(0);
    expect(outcome.result.metrics['totalTrades']).to.equal(direct.trades.length);
    // The prediction port was asked for the job's bars (warm-up included) up to the last bar's close.
    expect(predictions.calls.at(-1)).to.deep.include({ model: 'btc-1h', toMs: TO + H });
  });

  it('fails OPERAND_DATA_MISSING for a window without Fear & Greed rows, or without the port', async () => {
    const early = await runBacktestInProcess(
      { candles, runJob, operands: { daily, predictions } },
      job({ period: { from: Date.UTC(2021, 9, 1), to: Date.UTC(2021, 10, 1) } }),
    );
    // Its candles are stored (from August 2021); its Fear & Greed rows are not (stored from 2022).
    expect(early).to.deep.include({ ok: false, code: 'OPERAND_DATA_MISSING' });
    if (!early.ok) expect(early.error).to.contain('daily:fear_greed.level').and.contain('2021-10-01T00:00:00.000Z');
    const noPort = await runBacktestInProcess({ candles, runJob, operands: { predictions } }, job());
    expect(noPort).to.deep.include({ ok: false, code: 'OPERAND_DATA_MISSING' });
    if (!noPort.ok) expect(noPort.error).to.contain('daily:fear_greed.level').and.contain('not loaded');
  });
});
