// A strategy that leaves Paper/Live has its desk account closed once (application/pipeline/trading-desk.ts,
// doc/paper-trading.md "Paper orders on the record"): a paper account traded by the desk over real BTCUSDT 1h candles
// holds a position when the strategy is retired; at the next tick the desk closes it at market at the last close it
// fed (the backtest's end_of_data), through the order log. Checked against a hand computation from the CSV's candle
// and the backtest engine's open trade (not the desk's record): the position is flat, the closing fill's price is
// that close with adverse slippage, its realised P&L the trade's gross minus both taker fees. A fresh desk afterwards
// appends no order event. The same when the strategy is retired while the desk is down: the fresh desk's first tick
// recomputes the account to its end and records the close. And when it is retired at a tick's own time (by a step
// after the desk in that tick: the activation step) and the process is killed before the tick ends, the desk ticked
// again at that time appends nothing — the close comes at the next tick, as it does without the kill.
import { expect } from 'chai';
import { sql, type DatabasePool } from 'slonik';
import { createTradingDesk, type TradingDeskDeps } from '../../application/pipeline/trading-desk.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { bindStrategy, compileGenome } from '../../domain/backtest/compile.js';
import { simulate } from '../../domain/backtest/engine.js';
import { fillConfigOf } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { seriesRange, type CandleSeries } from '../../domain/market/candles.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { ordersProjection } from '../../projections/orders/projection.js';
import { positionsProjection } from '../../projections/positions/projection.js';
import { listPositions } from '../../projections/positions/queries.js';
import { strategiesProjection } from '../../projections/strategies/projection.js';
import { loadCandles } from '../indicators/real-candles.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { candlesOf } from '../support/candle-rows.js';
import { DESK_BACKTEST, DESK_RUN, paperDeskDeps, projectUntil, sendStrategyCommand } from './support/desk-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WARMUP = 1000 * HOUR; // WARMUP_BARS of 1h bars
const ID = 'b7c00000-0000-4000-8000-0000000000e1';
/** The same genome, retired while no desk runs. */
const ID2 = 'b7c00000-0000-4000-8000-0000000000e2';
/** The same genome, retired at a tick's time, the desk killed and started again in that tick. */
const ID3 = 'b7c00000-0000-4000-8000-0000000000e3';
const GENOME = smaCrossoverGenome(5, 20, ['BTCUSDT']);
const PAPER_START = Date.UTC(2022, 2, 1, 13, 17);
const FIRST_OPEN = Date.UTC(2022, 2, 1, 14);
const END = Date.UTC(2022, 2, 6);
const RUN = DESK_RUN;
const BACKTEST = DESK_BACKTEST;

describe('trading desk: the account of a strategy that leaves paper is closed once', function () {
  this.timeout(600_000);
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let pool: DatabasePool;
  let series: CandleSeries;
  const clock = fixedClock(new Date(PAPER_START));
  /** The desk, showing one strategy only (the other is the other test's). */
  const deps = (only: string): TradingDeskDeps => paperDeskDeps({ store, clock, pool, candles, only });
  const command = (type: StrategyCommand['type'], data: unknown, at: number, strategyId = ID) => sendStrategyCommand(store, clock, type, strategyId, data, at);
  const count = async (query: ReturnType<typeof sql.unsafe>) => Number(((await pool.one(query)) as { n: string | number }).n);
  const project = (projections: Parameters<typeof projectUntil>[2], ready: () => Promise<boolean>) => projectUntil(pool, store, projections, ready);
  const orderEvents = async () => count(sql.unsafe`SELECT count(*) AS n FROM events WHERE category = 'order'`);
  const fillEvents = async () => count(sql.unsafe`SELECT count(*) AS n FROM events WHERE category = 'order' AND event_type = 'OrderFilled'`);

  before(async () => {
    db = await freshDatabase('desk_leave');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    pool = await createReadModelPool(db.url, 2);
    series = loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT');
    await candles.writeCandles(series.key, candlesOf(series, FIRST_OPEN - WARMUP - 2 * DAY, END));
    for (const id of [ID, ID2, ID3]) {
      await command('GenerateStrategy', { genome: GENOME }, PAPER_START - 3 * HOUR, id);
      await command('RecordBacktest', { result: BACKTEST }, PAPER_START - 2 * HOUR, id);
      await command('FilterStrategy', { verdict: { outcome: 'passed', reasons: [], thresholds: { minSharpe: 0.5 } } }, PAPER_START - HOUR, id);
      await command('StartPaperTrading', { decidedBy: 'system:pipeline', reason: 'passed the filter' }, PAPER_START, id);
    }
    await project([strategiesProjection], async () => (await count(sql.unsafe`SELECT count(*) AS n FROM strategies WHERE state = 'Paper'`)) === 3);
  });
  after(async () => {
    await pool?.end();
    await store?.close();
    await candles?.close();
    await db?.drop();
  });

  /** The engine over the CSV's bars: a trade entered after the first day that lasts a few bars. */
  const engineTrade = () => {
    const from = series.openTime.findIndex((t) => t >= FIRST_OPEN - WARMUP);
    const view = seriesRange(
      series,
      from,
      series.openTime.findIndex((t) => t >= END),
    );
    const first = view.openTime.findIndex((t) => t >= FIRST_OPEN);
    const sim = simulate(bindStrategy(compileGenome(GENOME), view, new IndicatorCache()), first, view.length, RUN.initialCapital, fillConfigOf(RUN));
    const trade = sim.trades.find((t) => t.entryTime >= FIRST_OPEN + DAY && t.exitTime - t.entryTime >= 4 * HOUR)!;
    expect(trade, 'a trade to interrupt').to.not.equal(undefined);
    return trade;
  };

  /** Ticks a desk hourly from the paper start to `to`. */
  const tickTo = async (desk: ReturnType<typeof createTradingDesk>, to: number) => {
    for (let t = PAPER_START - (PAPER_START % HOUR) + HOUR; t <= to; t += HOUR) {
      clock.set(new Date(t));
      await desk.tick(new Date(t));
    }
  };

  /** Retired `after` (20 minutes) after `at`, the strategy is no longer listed. */
  const retire = async (id: string, at: number, after = 20 * 60_000) => {
    await command('RetireStrategy', { decidedBy: 'operator:test', reason: 'retired while holding a position' }, at + after, id);
    await project(
      [strategiesProjection],
      async () => (await count(sql.unsafe`SELECT count(*) AS n FROM strategies WHERE state = 'Retired' AND id = ${id}`)) === 1,
    );
  };

  /** The account's position folded: flat, its closing fill at the close of the bar opening at T − 1h, by hand. */
  const expectClosed = async (account: string, trade: ReturnType<typeof engineTrade>, T: number) => {
    const fills = await fillEvents();
    await project([ordersProjection, positionsProjection], async () => (await count(sql.unsafe`SELECT count(*) AS n FROM trading_fills`)) === fills);
    const [position] = await listPositions(pool, { account, status: 'all', limit: 10, offset: 0 });
    expect(position!.quantity, 'flat').to.equal(0);
    // By hand: the last bar fed opens at T − 1h; the exit fills at its close with adverse slippage, taker fee.
    const i = series.openTime.findIndex((t) => t === T - HOUR);
    const side = trade.side === 'long' ? 1 : -1;
    const exitPrice = series.close[i]! * (1 - side * RUN.slippage);
    const q = trade.quantity;
    const expected = side * q * (exitPrice - trade.entryPrice) - RUN.takerFee * trade.entryPrice * q - RUN.takerFee * exitPrice * q;
    const [closing] = (await pool.any(
      sql.unsafe`SELECT price, quantity, realised_pnl, (extract(epoch FROM filled_at) * 1000)::float8 AS filled_ms
                   FROM trading_fills WHERE account = ${account} ORDER BY filled_at DESC, client_order_id DESC LIMIT 1`,
    )) as readonly { price: number; quantity: number; realised_pnl: number; filled_ms: number }[];
    expect(closing!.filled_ms, 'filled at the close of the last bar fed').to.equal(T);
    expect(closing!.price).to.be.closeTo(exitPrice, 1e-9 * exitPrice);
    expect(closing!.quantity).to.be.closeTo(q, 1e-12 * q);
    expect(closing!.realised_pnl).to.be.closeTo(expected, 1e-6);
  };

  it('closes the open position at the last close fed after the retirement, and a fresh desk appends nothing', async () => {
    const trade = engineTrade();
    // The desk ticks hourly until two bars after the entry; the strategy is retired 20 minutes later.
    const T = trade.entryTime + 2 * HOUR;
    const desk = createTradingDesk(deps(ID));
    await tickTo(desk, T);
    const fillsBefore = await fillEvents();
    await retire(ID, T);
    clock.set(new Date(T + HOUR));
    await desk.tick(new Date(T + HOUR));
    expect(await fillEvents(), 'one closing fill').to.equal(fillsBefore + 1);
    const events = await orderEvents();
    // A fresh desk (a restart) and another tick of this one: nothing more.
    clock.set(new Date(T + 2 * HOUR));
    await createTradingDesk(deps(ID)).tick(new Date(T + 2 * HOUR));
    await desk.tick(new Date(T + 2 * HOUR));
    expect(await orderEvents(), 'order events after a restart').to.equal(events);
    await expectClosed(`paper-${ID}`, trade, T);
  });

  it('closes it at a fresh desk’s first tick when the strategy was retired while the desk was down, once', async () => {
    const trade = engineTrade();
    const T = trade.entryTime + 2 * HOUR;
    await tickTo(createTradingDesk(deps(ID2)), T);
    const fillsBefore = await fillEvents();
    // The desk stops; the strategy is retired; a fresh desk starts an hour later, then another.
    await retire(ID2, T);
    clock.set(new Date(T + HOUR));
    await createTradingDesk(deps(ID2)).tick(new Date(T + HOUR));
    expect(await fillEvents(), 'one closing fill').to.equal(fillsBefore + 1);
    const events = await orderEvents();
    clock.set(new Date(T + 2 * HOUR));
    await createTradingDesk(deps(ID2)).tick(new Date(T + 2 * HOUR));
    expect(await orderEvents(), 'order events after another restart').to.equal(events);
    await expectClosed(`paper-${ID2}`, trade, T);
  });

  it('retired at a tick’s own time and killed in that tick: the desk ticked again then appends nothing, the next tick closes it', async () => {
    const trade = engineTrade();
    const T = trade.entryTime + 2 * HOUR;
    // The tick at T: the desk trades the account; the activation step, after it, retires the strategy at T; kill -9.
    await tickTo(createTradingDesk(deps(ID3)), T);
    await retire(ID3, T, 0);
    const events = await orderEvents();
    const fillsBefore = await fillEvents();
    // Started again, the replay ticks T again: the desk did its part of T already, the retirement is the next tick's.
    const desk = createTradingDesk(deps(ID3));
    clock.set(new Date(T));
    await desk.tick(new Date(T));
    expect(await orderEvents(), 'order events of the tick at T ticked again').to.equal(events);
    // The next tick closes it, at the last close fed by T, as the desk that was not killed does (the first case here).
    clock.set(new Date(T + HOUR));
    await desk.tick(new Date(T + HOUR));
    expect(await fillEvents(), 'one closing fill').to.equal(fillsBefore + 1);
    await expectClosed(`paper-${ID3}`, trade, T);
  });
});
