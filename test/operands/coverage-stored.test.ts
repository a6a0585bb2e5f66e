// A backtest result's operand coverage reaches the stored BacktestCompleted event (PostgreSQL): a Fear & Greed
// series stored from inside the window gives a partial coverage whose covered bars are counted here from the file's
// publication times; the event reads back with it; a result without coverage (as every one stored before) decodes.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { backtestOutcomeRecorder } from '../../application/backtest/record-outcome.js';
import { runBacktestInProcess } from '../../application/backtest/run-in-process.js';
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import { BacktestEventData, backtestStream } from '../../domain/backtest/events.js';
import { Genome } from '../../domain/strategy/genome.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { runJob } from '../../infrastructure/backtest/run-job.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import type { Candle } from '../../domain/market/candles.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { H, ethusdt1h, operandGenome, realObservations } from './support.js';

const FROM = Date.UTC(2022, 5, 1);
const TO = Date.UTC(2022, 6, 1);

describe('operand coverage in the stored backtest result (PostgreSQL)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let candles: PostgresCandleStore;
  let daily: PostgresDailySeriesStore;
  let store: EventStore;

  before(async () => {
    db = await freshDatabase('operand_coverage_stored');
    candles = new PostgresCandleStore({ connectionString: db.url });
    daily = new PostgresDailySeriesStore({ connectionString: db.url });
    store = checkedPostgresStore({ connectionString: db.url });
    const s = ethusdt1h();
    const rows: Candle[] = [];
    for (let i = 0; i < s.length; i++)
      if (s.openTime[i]! >= FROM - 1000 * H && s.openTime[i]! < TO)
        rows.push({ openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! });
    await candles.writeCandles(s.key, rows);
    // Fear & Greed from 2022-06-10 only: the window's first nine days have no value.
    await daily.write((await realObservations('fear_greed')).filter((o) => o.day >= '2022-06-10' && o.day < '2022-08-01'));
  });
  after(async () => {
    await candles.close();
    await daily.close();
    await store.close();
    await db.drop();
  });

  it('records the partial coverage with the result and reads it back', async () => {
    const genome = Genome.decode(operandGenome({ daily: 'fear_greed', measure: 'level' }, 30, 20));
    if (either.isLeft(genome)) throw new Error('bad test genome');
    const job: BacktestJob = {
      jobId: '00000000-0000-4000-8000-0000000000c1',
      genome: genome.right,
      exchange: 'binance',
      symbols: ['ETHUSDT'],
      interval: '1h',
      period: { from: FROM, to: TO },
    };
    const outcome = await runBacktestInProcess({ candles, runJob, operands: { daily } }, job);
    if (!outcome.ok) throw new Error(`${outcome.code}: ${outcome.error}`);
    // Independent count: bars of June whose open is at or after the first stored value's publication (00:00 UTC of
    // 2022-06-10), none older than 7 days afterwards (daily values every day).
    const firstPublished = (await realObservations('fear_greed')).find((o) => o.day === '2022-06-10')!.publishedAt;
    const bars = (TO - FROM) / H;
    const covered = (TO - firstPublished) / H;
    const coverage = outcome.result.perSymbol['ETHUSDT']!.coverage;
    expect(coverage).to.deep.equal([
      {
        operand: coverage![0]!.operand,
        source: coverage![0]!.source,
        coveredBars: covered,
        bars,
        firstCovered: firstPublished,
        lastCovered: TO - H,
        partial: true,
      },
    ]);
    expect(coverage![0]!.operand).to.contain('fear_greed');

    await backtestOutcomeRecorder({ store, clock: fixedClock(new Date(TO)), ids: uuidIds })(job, outcome);
    const stored = (await store.readStream(backtestStream(job.jobId))).find((e) => e.type === 'BacktestCompleted')!;
    const decoded = BacktestEventData.BacktestCompleted.decode(stored.data);
    if (either.isLeft(decoded)) throw new Error('the stored result does not decode');
    expect(decoded.right.result.perSymbol['ETHUSDT']!.coverage).to.deep.equal(coverage);

    // An old result (no coverage) still decodes.
    const { coverage: _, ...old } = decoded.right.result.perSymbol['ETHUSDT']!;
    const before = BacktestEventData.BacktestCompleted.decode({ ...decoded.right, result: { ...decoded.right.result, perSymbol: { ETHUSDT: old } } });
    expect(either.isRight(before)).to.equal(true);
  });
});
