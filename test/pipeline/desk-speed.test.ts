// What a 60-day replay asks of the trading desk: ten strategies in paper on five real symbols, a tick every simulated
// hour (1,440 ticks). Prints the wall time; checks that every account closed every day once.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { createTradingDesk } from '../../application/pipeline/trading-desk.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { handleStrategyCommand } from '../../application/strategy/handle-strategy-command.js';
import type { Candle } from '../../domain/market/candles.js';
import { performanceStream } from '../../domain/performance/events.js';
import { DEFAULT_RISK_LIMITS } from '../../domain/risk/limits.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { strategiesProjection } from '../../projections/strategies/projection.js';
import { loadCandles } from '../indicators/real-candles.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { catchUpOnVisible, memoryLog } from '../projections/support.js';
import { paperDeskDeps } from './support/desk-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2022, 5, 1, 3, 5);
const DAYS = 60;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT'];
const BACKTEST = {
  metrics: { sharpe: 1, totalReturn: 0.2, maxDrawdown: 0.15, tradeCount: 200 },
  window: { start: '2021-06-01T00:00:00.000Z', end: '2022-05-01T00:00:00.000Z' },
  timeframe: '1h',
  symbols: ['BTCUSDT'],
  dataFingerprint: 'sha256:test',
  engineVersion: 'test-1',
};

describe('trading desk speed: 10 paper strategies, a 60-day replay ticked hourly', function () {
  this.timeout(900_000);
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let pool: DatabasePool;
  const clock = fixedClock(new Date(START));
  const ids: string[] = [];

  before(async () => {
    db = await freshDatabase('desk_speed');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    pool = await createReadModelPool(db.url, 2);
    for (const symbol of SYMBOLS) {
      const s = loadCandles(`binance_${symbol}_1h.csv.gz`, symbol);
      const rows: Candle[] = [];
      for (let i = 0; i < s.length; i++)
        if (s.openTime[i]! >= START - 1100 * HOUR && s.openTime[i]! < START + (DAYS + 2) * DAY)
          rows.push({ openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! });
      await candles.writeCandles(s.key, rows);
    }
    const run = async (type: StrategyCommand['type'], strategyId: string, data: unknown) => {
      const r = await handleStrategyCommand({ store, clock, ids: uuidIds }, { type, strategyId, data } as unknown as StrategyCommand, {
        actor: 'operator:test' as never,
      });
      if (either.isLeft(r)) throw new Error(JSON.stringify(r.left));
    };
    for (let k = 0; k < 10; k++) {
      const id = `5eed0000-0000-4000-8000-0000000000${String(k).padStart(2, '0')}`;
      ids.push(id);
      // A quarter of equity a position: what the default risk limits (maxSymbolExposure 0.25) let through.
      const genome = smaCrossoverGenome(5 + k, 20 + 3 * k, [SYMBOLS[k % SYMBOLS.length]!]);
      await run('GenerateStrategy', id, { genome: { ...genome, risk: { positionSize: 0.25, riskPerTrade: 0.02 } } });
      await run('RecordBacktest', id, { result: BACKTEST });
      await run('FilterStrategy', id, { verdict: { outcome: 'passed', reasons: [], thresholds: {} } });
      await run('StartPaperTrading', id, { decidedBy: 'system:pipeline', reason: 'passed the filter' });
    }
    const runner = new ProjectionRunner({ pool, store, projections: [strategiesProjection], log: memoryLog() });
    try {
      for (let tries = 0; ; tries++) {
        await catchUpOnVisible(store, runner, (await store.readAll({})).length);
        const n = (await pool.any(sql.unsafe`SELECT id FROM strategies WHERE state = 'Paper'`)).length;
        if (n === 10) break;
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

  it('ticks 1,440 simulated hours and closes every day of every account once', async () => {
    const desk = createTradingDesk(paperDeskDeps({ store, clock, pool, candles, riskLimits: DEFAULT_RISK_LIMITS }));
    const t0 = Date.now();
    let appended = 0;
    const notes: string[] = [];
    let slowest = 0;
    for (let t = Date.UTC(2022, 5, 1, 4); t <= Date.UTC(2022, 5, 1, 3) + DAYS * DAY; t += HOUR) {
      clock.set(new Date(t));
      const s = Date.now();
      const out = await desk.tick(new Date(t));
      slowest = Math.max(slowest, Date.now() - s);
      appended += out.appended;
      notes.push(...out.notes);
    }
    const wall = Date.now() - t0;
    console.log(`      desk: 1440 ticks, 10 strategies, ${wall} ms (${(wall / 1440).toFixed(1)} ms a tick, slowest ${slowest} ms), ${appended} events`);
    console.log(`      notes: ${notes.length}:\n        ${notes.slice(0, 12).join('\n        ')}`);
    for (const id of ids) {
      const recorded = (await store.readStream(performanceStream(id))).map((e) => e.data as { day: string; final?: true });
      const days = recorded.map((d) => d.day);
      expect(new Set(days).size, id).to.equal(days.length);
      // A strategy rejected after its 7 full days (8 with the first, partial one) is retired and trades no more: its
      // account is closed at the next tick, its final day the 9th (retired at the midnight tick that closed the 8th,
      // the final day is the next one, holding the exit alone).
      const retired = (await store.readStream(`strategy-${id}`)).some((e) => e.type === 'StrategyRetired');
      expect(days.length, id).to.equal(retired ? 9 : DAYS);
      expect(
        recorded.map((d) => d.final === true),
        id,
      ).to.deep.equal(days.map((_, k) => retired && k === days.length - 1));
    }
  });
});
