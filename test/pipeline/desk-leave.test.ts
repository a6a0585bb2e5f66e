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
//
// Each close also records the account's final day (TradingDayClosed `final`), once: the day of the close, its equity
// the cash after the exit — checked against the engine's earlier trades and the same hand computation of the exit —
// and, when the close is midnight, the next day, holding only the exit. Killed at each step of a close (before the
// exit's order events, before the final day, right after it) and started again at the same hour each time, the desk
// records the exit and the final day once. A fresh desk's first tick builds no session for an account whose final day
// the read model shows, reads none of its streams, and still closes one retired while no desk ran.
import { expect } from 'chai';
import { sql, type DatabasePool } from 'slonik';
import { createTradingDesk, deskOrderIdPrefix, type TradingDeskDeps } from '../../application/pipeline/trading-desk.js';
import type { EventStore, NewEvent } from '../../application/ports/event-store.js';
import type { PaperVenueFactory } from '../../application/ports/paper-venue.js';
import { bindStrategy, compileGenome } from '../../domain/backtest/compile.js';
import { simulate } from '../../domain/backtest/engine.js';
import { fillConfigOf } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { seriesRange, type CandleSeries } from '../../domain/market/candles.js';
import type { TradingDayClosed } from '../../domain/performance/events.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PaperExchange } from '../../infrastructure/exchange/paper/paper-exchange.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { ordersProjection } from '../../projections/orders/projection.js';
import { positionsProjection } from '../../projections/positions/projection.js';
import { listPositions } from '../../projections/positions/queries.js';
import { strategiesProjection } from '../../projections/strategies/projection.js';
import { tradingDaysProjection } from '../../projections/trading-days/projection.js';
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
/** The same genome, retired a little after midnight: its close is at midnight. */
const ID4 = 'b7c00000-0000-4000-8000-0000000000e4';
/** The same genome, its close killed at each step. */
const ID5 = 'b7c00000-0000-4000-8000-0000000000e5';
/** The same genome, closed by its desk; then a fresh desk's sweep passes it by… */
const ID6 = 'b7c00000-0000-4000-8000-0000000000e6';
/** …and closes this one, retired while no desk ran. */
const ID7 = 'b7c00000-0000-4000-8000-0000000000e7';
const ALL = [ID, ID2, ID3, ID4, ID5, ID6, ID7];
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
    for (const id of ALL) {
      await command('GenerateStrategy', { genome: GENOME }, PAPER_START - 3 * HOUR, id);
      await command('RecordBacktest', { result: BACKTEST }, PAPER_START - 2 * HOUR, id);
      await command('FilterStrategy', { verdict: { outcome: 'passed', reasons: [], thresholds: { minSharpe: 0.5 } } }, PAPER_START - HOUR, id);
      await command('StartPaperTrading', { decidedBy: 'system:pipeline', reason: 'passed the filter' }, PAPER_START, id);
    }
    await project([strategiesProjection], async () => (await count(sql.unsafe`SELECT count(*) AS n FROM strategies WHERE state = 'Paper'`)) === ALL.length);
  });
  after(async () => {
    await pool?.end();
    await store?.close();
    await candles?.close();
    await db?.drop();
  });

  /** The engine over the CSV's bars: its trades, and one entered after the first day that lasts a few bars. */
  const engine = () => {
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
    return { trade, trades: sim.trades };
  };
  const engineTrade = () => engine().trade;

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

  /** The account's days on its performance stream, from the log. */
  const daysOf = async (id: string) => (await store.readStream(`performance-${id}`)).map((r) => r.data as TradingDayClosed['data']);
  const dayEvents = async () => count(sql.unsafe`SELECT count(*) AS n FROM events WHERE event_type = 'TradingDayClosed'`);

  /**
   * The account's last day is its final one, recorded once, with what a hand computation gives when the engine's
   * `trade` is closed at the close of the bar opening at T − 1h: the day of T, equity = the cash before the entry (the
   * initial capital and the engine's earlier trades' P&L) + the trade's gross at the exit price − both taker fees, its
   * return against the previous day's equity (the cash at its close, or, when the trade was open over midnight, the
   * trade marked at that close), the trades closed that day (the exit among them), flat, at T.
   */
  const expectFinalDay = async (id: string, T: number) => {
    const { trade, trades } = engine();
    const i = series.openTime.findIndex((t) => t === T - HOUR);
    const side = trade.side === 'long' ? 1 : -1;
    const q = trade.quantity;
    const exitPrice = series.close[i]! * (1 - side * RUN.slippage);
    const earlier = trades.filter((t) => t.exitTime <= trade.entryTime);
    const cash = RUN.initialCapital + earlier.reduce((sum, t) => sum + t.pnl, 0);
    const equity = cash + side * q * (exitPrice - trade.entryPrice) - RUN.takerFee * trade.entryPrice * q - RUN.takerFee * exitPrice * q;
    const d0 = Math.floor(T / DAY) * DAY;
    expect(
      trades.some((t) => t !== trade && t.entryTime < d0 && t.exitTime >= d0),
      'no other trade open over midnight',
    ).to.equal(false);
    const j = series.openTime.findIndex((t) => t === d0 - HOUR);
    const previous =
      trade.entryTime < d0
        ? cash - RUN.takerFee * trade.entryPrice * q + side * q * (series.close[j]! - trade.entryPrice)
        : RUN.initialCapital + earlier.filter((t) => t.exitTime < d0).reduce((sum, t) => sum + t.pnl, 0);

    const days = await daysOf(id);
    const account = days.filter((d) => d.account === `paper-${id}`);
    expect(
      account.filter((d) => d.final === true),
      'one final day',
    ).to.have.length(1);
    const [before, last] = account.slice(-2);
    expect(last!.final, 'the last day is the final one').to.equal(true);
    expect(before!.final, 'the day before it is not').to.equal(undefined);
    expect(last!.day).to.equal(new Date(T).toISOString().slice(0, 10));
    expect(last!.at).to.equal(T);
    expect(last!.position).to.equal(0);
    expect(last!.equity).to.be.closeTo(equity, 1e-6);
    expect(before!.equity, 'the previous day').to.be.closeTo(previous, 1e-6);
    expect(last!.dayReturn).to.be.closeTo(equity / previous - 1, 1e-12);
    expect(last!.trades).to.equal(earlier.filter((t) => t.exitTime >= d0).length + 1);
    expect(last!.tradesTotal).to.equal(earlier.length + 1);
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
    const daysBefore = await dayEvents();
    const outcome = await desk.tick(new Date(T + HOUR));
    expect(await fillEvents(), 'one closing fill').to.equal(fillsBefore + 1);
    expect(await dayEvents(), 'one day more: the final one').to.equal(daysBefore + 1);
    expect(outcome.appended, 'the final day counted in the tick').to.equal(1);
    const events = await orderEvents();
    const days = await dayEvents();
    // A fresh desk (a restart) and another tick of this one: nothing more.
    clock.set(new Date(T + 2 * HOUR));
    await createTradingDesk(deps(ID)).tick(new Date(T + 2 * HOUR));
    await desk.tick(new Date(T + 2 * HOUR));
    expect(await orderEvents(), 'order events after a restart').to.equal(events);
    expect(await dayEvents(), 'days after a restart').to.equal(days);
    await expectClosed(`paper-${ID}`, trade, T);
    await expectFinalDay(ID, T);
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
    const days = await dayEvents();
    clock.set(new Date(T + 2 * HOUR));
    await createTradingDesk(deps(ID2)).tick(new Date(T + 2 * HOUR));
    expect(await orderEvents(), 'order events after another restart').to.equal(events);
    expect(await dayEvents(), 'days after another restart').to.equal(days);
    await expectClosed(`paper-${ID2}`, trade, T);
    await expectFinalDay(ID2, T);
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
    const days = await dayEvents();
    const desk = createTradingDesk(deps(ID3));
    clock.set(new Date(T));
    await desk.tick(new Date(T));
    expect(await orderEvents(), 'order events of the tick at T ticked again').to.equal(events);
    expect(await dayEvents(), 'days of the tick at T ticked again').to.equal(days);
    // The next tick closes it, at the last close fed by T, as the desk that was not killed does (the first case here).
    clock.set(new Date(T + HOUR));
    await desk.tick(new Date(T + HOUR));
    expect(await fillEvents(), 'one closing fill').to.equal(fillsBefore + 1);
    await expectClosed(`paper-${ID3}`, trade, T);
    await expectFinalDay(ID3, T);
  });

  it('closed at midnight: the day of the last bar is closed with the position held, the final day is the next one, holding the exit alone', async () => {
    const { trade } = engine();
    // The position is still open at the last close of a day (the engine holds it over midnight) and the strategy is
    // retired 20 minutes after: the exit fills at midnight, the close of the day's last bar.
    const T = Math.floor(trade.entryTime / DAY) * DAY + DAY;
    expect(trade.exitTime, 'the trade is open at midnight').to.be.at.least(T);
    await tickTo(createTradingDesk(deps(ID4)), T);
    await retire(ID4, T);
    clock.set(new Date(T + HOUR));
    await createTradingDesk(deps(ID4)).tick(new Date(T + HOUR));
    await expectClosed(`paper-${ID4}`, trade, T);
    await expectFinalDay(ID4, T);
    const [before, last] = (await daysOf(ID4)).slice(-2);
    expect(before!.position, 'the last full day holds the position').to.be.closeTo(trade.quantity, 1e-12 * trade.quantity);
    expect(last!.trades, 'the final day holds the exit alone').to.equal(1);
  });

  /**
   * The store, but the desk dies at the first append `at` matches: before the append, or right after it ('after').
   * One shot; what it says is kept in `died`.
   */
  const dyingStore = (at: (stream: string, events: readonly NewEvent[]) => boolean, when: 'before' | 'after') => {
    const state = { died: false };
    const wrapped: EventStore = {
      name: store.name,
      appendToStream: async (stream, events, options) => {
        const dies = !state.died && at(stream, events);
        if (dies && when === 'before') {
          state.died = true;
          throw new Error('killed');
        }
        const r = await store.appendToStream(stream, events, options);
        if (dies) {
          state.died = true;
          throw new Error('killed');
        }
        return r;
      },
      readStream: (s, o) => store.readStream(s, o),
      readAll: (o) => store.readAll(o),
      subscribeToAll: (o, h) => store.subscribeToAll(o, h),
      headPosition: () => store.headPosition(),
      countAfter: (f, o) => store.countAfter(f, o),
      close: () => store.close(),
    };
    return { store: wrapped, state };
  };

  /** The store, the name of every stream read put in `read`. */
  const watchReads = (inner: EventStore, read: string[]): EventStore => ({
    name: inner.name,
    appendToStream: (stream, events, options) => inner.appendToStream(stream, events, options),
    readStream: (stream, o) => {
      read.push(stream);
      return inner.readStream(stream, o);
    },
    readAll: (o) => inner.readAll(o),
    subscribeToAll: (o, h) => inner.subscribeToAll(o, h),
    headPosition: () => inner.headPosition(),
    countAfter: (f, o) => inner.countAfter(f, o),
    close: () => inner.close(),
  });

  it('killed at each step of a close and started again at the same hour each time: the exit and the final day recorded once', async () => {
    const { trade } = engine();
    const T = trade.entryTime + 2 * HOUR;
    await tickTo(createTradingDesk(deps(ID5)), T);
    await retire(ID5, T);
    const fillsBefore = await fillEvents();
    const daysBefore = await dayEvents();
    const at = T + HOUR;
    clock.set(new Date(at));
    // Its exit's order stream (`<group>-d1`: the position's first end_of_data exit) and its final day. (A fresh desk's
    // sweep recomputes the other retired accounts of this database too, their closes not yet on the read model.)
    const prefix = `order-${deskOrderIdPrefix(`paper-${ID5}`)}-`;
    const exitOrder = (stream: string) => stream.startsWith(prefix) && /-d\d+$/.test(stream);
    const finalDay = (stream: string, events: readonly NewEvent[]) =>
      stream === `performance-${ID5}` && events.some((e) => (e.data as { final?: unknown }).final === true);
    const kills = [
      { at: exitOrder, when: 'before', fills: 0, days: 0 },
      { at: finalDay, when: 'before', fills: 1, days: 0 },
      { at: finalDay, when: 'after', fills: 1, days: 1 },
    ] as const;
    for (const kill of kills) {
      const dying = dyingStore(kill.at, kill.when);
      const died = await createTradingDesk({ ...deps(ID5), store: dying.store })
        .tick(new Date(at))
        .then(
          () => false,
          (e: Error) => e.message === 'killed',
        );
      expect(died, `killed ${kill.when} ${kill.at === exitOrder ? 'the exit' : 'the final day'}`).to.equal(true);
      expect(await fillEvents(), 'closing fills so far').to.equal(fillsBefore + kill.fills);
      expect(await dayEvents(), 'final days so far').to.equal(daysBefore + kill.days);
    }
    // Started again at the same hour once more (the read model not caught up: it recomputes the close): nothing more.
    const events = await orderEvents();
    await createTradingDesk(deps(ID5)).tick(new Date(at));
    expect(await orderEvents(), 'order events').to.equal(events);
    expect(await fillEvents(), 'one closing fill').to.equal(fillsBefore + 1);
    expect(await dayEvents(), 'one final day').to.equal(daysBefore + 1);
    await expectClosed(`paper-${ID5}`, trade, T);
    await expectFinalDay(ID5, T);
    // The exit's order: placed, accepted, filled, each once.
    const exit = (await pool.any(
      sql.unsafe`SELECT event_type FROM events WHERE category = 'order' AND stream_name ~ ${'^order-.*-d[0-9]+$'}
                   AND stream_name IN (SELECT 'order-' || client_order_id FROM trading_fills WHERE account = ${`paper-${ID5}`})
                 ORDER BY stream_revision`,
    )) as readonly { event_type: string }[];
    expect(exit.map((e) => e.event_type)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
  });

  it('a fresh desk’s first tick passes by an account whose final day the read model shows, and closes one retired while no desk ran', async () => {
    const { trade } = engine();
    const T = trade.entryTime + 2 * HOUR;
    // ID6 is closed by its desk; ID7's desk stops before its retirement.
    const desk = createTradingDesk(deps(ID6));
    await tickTo(desk, T);
    await tickTo(createTradingDesk(deps(ID7)), T);
    await retire(ID6, T);
    await retire(ID7, T);
    clock.set(new Date(T + HOUR));
    await desk.tick(new Date(T + HOUR));
    await expectFinalDay(ID6, T);
    const finals = async () => count(sql.unsafe`SELECT count(*) AS n FROM events WHERE event_type = 'TradingDayClosed' AND data ? 'final'`);
    const shown = async () => (await finals()) === (await count(sql.unsafe`SELECT count(*) AS n FROM trading_days WHERE final`));
    await project([tradingDaysProjection], shown);

    // A fresh desk, its session factory (one paper venue per account it recomputes) and its stream reads watched.
    let sessions = 0;
    const read: string[] = [];
    const watched = (): TradingDeskDeps => {
      const d = deps(ID7);
      const venue: PaperVenueFactory = (o) => {
        sessions++;
        return new PaperExchange(o);
      };
      return { ...d, venue, store: watchReads(d.store, read) };
    };
    const fills = await fillEvents();
    clock.set(new Date(T + 2 * HOUR));
    await createTradingDesk(watched()).tick(new Date(T + 2 * HOUR));
    expect(sessions, 'one account recomputed: ID7’s').to.equal(1);
    expect(
      read.filter((s) => s.endsWith(ID6)),
      'no stream of the strategy whose close is recorded',
    ).to.deep.equal([]);
    expect(await fillEvents(), 'ID7’s closing fill').to.equal(fills + 1);
    await expectClosed(`paper-${ID7}`, trade, T);
    await expectFinalDay(ID7, T);

    // Once the read model shows ID7's final day too, a fresh desk recomputes nothing and reads no retired one's stream.
    await project([tradingDaysProjection], shown);
    sessions = 0;
    read.length = 0;
    const events = await orderEvents();
    const days = await dayEvents();
    clock.set(new Date(T + 3 * HOUR));
    await createTradingDesk(watched()).tick(new Date(T + 3 * HOUR));
    expect(sessions, 'accounts recomputed').to.equal(0);
    expect(
      read.filter((s) => ALL.some((id) => s.endsWith(id))),
      'streams of retired strategies read',
    ).to.deep.equal([]);
    expect([await orderEvents(), await dayEvents()]).to.deep.equal([events, days]);
  });
});
