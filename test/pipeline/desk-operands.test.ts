// The trading desk with a strategy whose operands read a source the desk lacks (Fear & Greed with no daily series
// store wired): that strategy's account does not trade and the tick's notes say why (OPERAND_DATA_MISSING, naming
// the operand), once; the other paper account goes on and closes its days as before; nothing throws out of the tick.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { createTradingDesk } from '../../application/pipeline/trading-desk.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Candle } from '../../domain/market/candles.js';
import { performanceStream } from '../../domain/performance/events.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { Genome } from '../../domain/strategy/genome.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { strategiesProjection } from '../../projections/strategies/projection.js';
import { loadCandles } from '../indicators/real-candles.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { catchUpOnVisible, memoryLog } from '../projections/support.js';
import { paperDeskDeps, sendStrategyCommand } from './support/desk-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PLAIN = 'b7c00000-0000-4000-8000-0000000000a1';
const FNG = 'f9600000-0000-4000-8000-0000000000a2';
const PAPER_START = Date.UTC(2022, 2, 1, 13, 17);
const fngGenome = (): Genome => {
  const base = Genome.encode(smaCrossoverGenome(5, 20, ['BTCUSDT'])) as Record<string, unknown> & { entry: { mode: string; conditions: unknown[] } };
  const decoded = Genome.decode({
    ...base,
    entry: { mode: 'all', conditions: [...base.entry.conditions, { left: { daily: 'fear_greed', measure: 'level' }, op: 'lt', right: { value: 60 } }] },
  });
  if (either.isLeft(decoded)) throw new Error('bad test genome');
  return decoded.right;
};
const BACKTEST = {
  metrics: { sharpe: 1, totalReturn: 0.1, maxDrawdown: 0.1, tradeCount: 10 },
  window: { start: '2021-06-01T00:00:00.000Z', end: '2022-02-01T00:00:00.000Z' },
  timeframe: '1h',
  symbols: ['BTCUSDT'],
  dataFingerprint: 'sha256:test',
  engineVersion: 'test-1',
};

describe('trading desk: a strategy whose operand data is missing (real candles, PostgreSQL)', function () {
  this.timeout(300_000);
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let pool: DatabasePool;
  const clock = fixedClock(new Date(PAPER_START));
  const command = (type: StrategyCommand['type'], strategyId: string, data: unknown, at: number) =>
    sendStrategyCommand(store, clock, type, strategyId, data, at);

  before(async () => {
    db = await freshDatabase('desk_operands');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    pool = await createReadModelPool(db.url, 2);
    const s = loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT');
    const rows: Candle[] = [];
    for (let i = 0; i < s.length; i++)
      if (s.openTime[i]! >= PAPER_START - 1002 * HOUR && s.openTime[i]! < PAPER_START + 5 * DAY)
        rows.push({ openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! });
    await candles.writeCandles(s.key, rows);
    for (const [id, genome] of [
      [PLAIN, smaCrossoverGenome(5, 20, ['BTCUSDT'])],
      [FNG, fngGenome()],
    ] as const) {
      await command('GenerateStrategy', id, { genome: Genome.encode(genome) }, PAPER_START - 3 * HOUR);
      await command('RecordBacktest', id, { result: BACKTEST }, PAPER_START - 2 * HOUR);
      await command('FilterStrategy', id, { verdict: { outcome: 'passed', reasons: [], thresholds: { minSharpe: 0.5 } } }, PAPER_START - HOUR);
      await command('StartPaperTrading', id, { decidedBy: 'system:pipeline', reason: 'passed the filter' }, PAPER_START);
    }
    const runner = new ProjectionRunner({ pool, store, projections: [strategiesProjection], log: memoryLog() });
    try {
      for (let tries = 0; ; tries++) {
        await catchUpOnVisible(store, runner, (await store.readAll({})).length);
        const paper = await pool.any(sql.unsafe`SELECT id FROM strategies WHERE state = 'Paper'`);
        if (paper.length === 2) break;
        if (tries > 600) throw new Error('the strategies read model never caught up');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await runner.stop();
    }
  });
  after(async () => {
    await pool?.end();
    await store?.close();
    await candles?.close();
    await db?.drop();
  });

  it('the account without its data says so once and does not trade; the other closes its days', async () => {
    const desk = createTradingDesk(paperDeskDeps({ store, clock, pool, candles }));
    const notes: string[] = [];
    let appended = 0;
    for (let t = Date.UTC(2022, 2, 1, 14); t <= Date.UTC(2022, 2, 4, 3); t += HOUR) {
      clock.set(new Date(t));
      const o = await desk.tick(new Date(t));
      notes.push(...o.notes);
      appended += o.appended;
    }
    const missing = notes.filter((n) => n.startsWith(`paper-${FNG}: cannot trade`));
    expect(missing).to.have.length(1);
    expect(missing[0]).to.contain('OPERAND_DATA_MISSING').and.contain('daily:fear_greed.level').and.contain('not loaded');
    expect(notes.filter((n) => n.includes(PLAIN))).to.deep.equal([]);
    // 03-01 (from 14:00), 03-02, 03-03 closed for the plain account; none for the other.
    const plainDays = (await store.readStream(performanceStream(PLAIN))).map((e) => (e.data as { day: string }).day);
    expect(plainDays).to.deep.equal(['2022-03-01', '2022-03-02', '2022-03-03']);
    expect(await store.readStream(performanceStream(FNG))).to.deep.equal([]);
    expect(appended).to.equal(3);
  });
});
