// The desk's paper orders on the record (application/trading/paper-order-log.ts, doc/paper-trading.md "Paper orders
// on the record"): a paper account traded by the desk over real BTCUSDT 1h candles, ticked every hour, with a crash in
// the middle of appending its orders and two restarts (fresh desks). Its order streams are folded by the orders and
// positions projections and checked against an independent source — the backtest engine's trade list for the same
// genome over the same bars, read from the CSV file, not the candle store:
// 1. one fill per entry and per exit of each closed trade, and the entry of the trade open at the end, at the engine's
//    prices, quantities, sides and times; nothing twice (the crash and the restarts appended each event once);
// 2. the position: the open trade's quantity, realised P&L = the closed trades' P&L, and realised + unrealised (marked
//    at the last stored close) = the engine's equity at the last bar − the initial capital;
// 3. the orders read model: every order filled, none twice.
import { expect } from 'chai';
import { sql, type DatabasePool } from 'slonik';
import { createTradingDesk, deskOrderIdPrefix as deskPrefix, type TradingDeskDeps } from '../../application/pipeline/trading-desk.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { bindStrategy, compileGenome } from '../../domain/backtest/compile.js';
import { simulate } from '../../domain/backtest/engine.js';
import { fillConfigOf } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { ordersProjection } from '../../projections/orders/projection.js';
import { listOrders } from '../../projections/orders/queries.js';
import { positionsProjection } from '../../projections/positions/projection.js';
import { listPositions, pnl } from '../../projections/positions/queries.js';
import { strategiesProjection } from '../../projections/strategies/projection.js';
import { loadCandles } from '../indicators/real-candles.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { candlesOf } from '../support/candle-rows.js';
import { DESK_BACKTEST, DESK_RUN, paperDeskDeps, projectUntil, sendStrategyCommand } from './support/desk-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WARMUP = 1000 * HOUR; // WARMUP_BARS of 1h bars
const ID = 'b7c00000-0000-4000-8000-0000000000d1';
const ACCOUNT = `paper-${ID}`;
const GENOME = smaCrossoverGenome(5, 20, ['BTCUSDT']);
/** With protective exits: resting stops and targets, one cancelling the other. */
const ID2 = 'b7c00000-0000-4000-8000-0000000000d2';
const GENOME2: Genome = { ...smaCrossoverGenome(5, 20, ['BTCUSDT']), exitRules: { stopLoss: 0.01, takeProfit: 0.015 } as Genome['exitRules'] };
const PAPER_START = Date.UTC(2022, 2, 1, 13, 17);
const FIRST_OPEN = Date.UTC(2022, 2, 1, 14);
/** The last bar stored opens at END − 1h: at END every stored bar has closed. */
const END = Date.UTC(2022, 2, 9, 5);
const RUN = DESK_RUN;

const BACKTEST = DESK_BACKTEST;

interface FillRow {
  client_order_id: string;
  side: string;
  price: number;
  quantity: number;
  fee: number;
  realised_pnl: number;
  filled_ms: number;
}

/**
 * The store, but the first append that would add events to an order stream already holding some of them (an order
 * placed at one tick and filled at a later one) throws: a crash between two appends, which leaves that order's
 * stream with its first part only.
 */
const crashingStore = (inner: EventStore): EventStore & { crashedOn?: string } => {
  const wrapped: EventStore & { crashedOn?: string } = {
    name: inner.name,
    appendToStream: async (stream, events, options) => {
      if (wrapped.crashedOn === undefined && stream.startsWith('order-')) {
        const held = new Set((await inner.readStream(stream)).map((e) => e.eventId));
        if (held.size > 0 && events.some((e) => !held.has(e.eventId))) {
          wrapped.crashedOn = stream;
          throw new Error('crash');
        }
      }
      return inner.appendToStream(stream, events, options);
    },
    readStream: (s, o) => inner.readStream(s, o),
    readAll: (o) => inner.readAll(o),
    subscribeToAll: (o, h) => inner.subscribeToAll(o, h),
    headPosition: () => inner.headPosition(),
    countAfter: (f, o) => inner.countAfter(f, o),
    close: () => inner.close(),
  };
  return wrapped;
};

describe('trading desk: the paper orders and fills on the record, once each, as the backtest trades them', function () {
  this.timeout(600_000);
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let pool: DatabasePool;
  let series: CandleSeries;
  const clock = fixedClock(new Date(PAPER_START));
  /** The desk of the first strategy (hourly), or of the second only (one catch-up tick). */
  const deps = (s: EventStore = store, only = ID): TradingDeskDeps => paperDeskDeps({ store: s, clock, pool, candles, only });
  const command = (type: StrategyCommand['type'], data: unknown, at: number, strategyId = ID) => sendStrategyCommand(store, clock, type, strategyId, data, at);
  const project = (projections: Parameters<typeof projectUntil>[2], ready: () => Promise<boolean>) => projectUntil(pool, store, projections, ready);
  const count = async (query: ReturnType<typeof sql.unsafe>) => Number(((await pool.one(query)) as { n: string | number }).n);
  const tickHours = async (desk: ReturnType<typeof createTradingDesk>, from: number, to: number) => {
    for (let t = from + HOUR; t <= to; t += HOUR) {
      clock.set(new Date(t));
      const outcome = await desk.tick(new Date(t));
      // (the paper verdict is told in the notes; an order step the log could not take would be too)
      expect(
        outcome.notes.filter((n) => n.includes('order')),
        new Date(t).toISOString(),
      ).to.deep.equal([]);
    }
  };
  /** The order events stored (from the table: the log's reads wait for transactions elsewhere on the server). */
  const orderEvents = async () =>
    (
      (await pool.any(
        sql.unsafe`SELECT event_id AS id, event_type AS type, stream_name AS stream FROM events WHERE category = 'order' ORDER BY global_position`,
      )) as readonly { id: string; type: string; stream: string }[]
    ).slice();

  before(async () => {
    db = await freshDatabase('desk_orders');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    pool = await createReadModelPool(db.url, 2);
    series = loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT');
    await candles.writeCandles(series.key, candlesOf(series, FIRST_OPEN - WARMUP - 2 * DAY, END));
    for (const [id, genome] of [
      [ID, GENOME],
      [ID2, GENOME2],
    ] as const) {
      await command('GenerateStrategy', { genome }, PAPER_START - 3 * HOUR, id);
      await command('RecordBacktest', { result: BACKTEST }, PAPER_START - 2 * HOUR, id);
      await command('FilterStrategy', { verdict: { outcome: 'passed', reasons: [], thresholds: { minSharpe: 0.5 } } }, PAPER_START - HOUR, id);
      await command('StartPaperTrading', { decidedBy: 'system:pipeline', reason: 'passed the filter' }, PAPER_START, id);
      await command('PinStrategy', { decidedBy: 'operator:test', reason: 'no evaluation here' }, PAPER_START + 60_000, id);
    }
    await project([strategiesProjection], async () => (await count(sql.unsafe`SELECT count(*) AS n FROM strategies WHERE state = 'Paper'`)) === 2);
  });
  after(async () => {
    await pool?.end();
    await store?.close();
    await candles?.close();
    await db?.drop();
  });

  /** The engine over the CSV's bars from the warm-up to well past END; what it did up to END. */
  const reference = (genome: Genome = GENOME) => {
    const from = series.openTime.findIndex((t) => t >= FIRST_OPEN - WARMUP);
    const to = series.openTime.findIndex((t) => t >= END + 3 * DAY);
    const view = sliceOf(series, from, to);
    const first = view.openTime.findIndex((t) => t >= FIRST_OPEN);
    const sim = simulate(bindStrategy(compileGenome(genome), view, new IndicatorCache()), first, view.length, RUN.initialCapital, fillConfigOf(RUN));
    const last = view.openTime.findIndex((t) => t >= END) - 1; // the last bar closed at END
    return {
      closed: sim.trades.filter((t) => t.exitTime < END),
      open: sim.trades.find((t) => t.entryTime < END && t.exitTime >= END),
      equity: sim.equity[last - first]!,
      lastClose: view.close[last]!,
    };
  };

  it('records each order once through a crash between appends and two restarts', async () => {
    const mid = Date.UTC(2022, 2, 4, 3);
    await tickHours(createTradingDesk(deps()), Date.UTC(2022, 2, 1, 13), mid);
    const before = (await orderEvents()).length;
    expect(before, 'orders recorded by the first desk').to.be.greaterThan(0);
    // A fresh desk (a restart) recomputes from the start: it appends nothing at the same now.
    const again = createTradingDesk(deps());
    await again.tick(new Date(mid));
    expect((await orderEvents()).length).to.equal(before);
    // A desk that crashes in the middle of its appends, with an order's stream half written…
    const crashingOn = crashingStore(store);
    const crashing = createTradingDesk(deps(crashingOn));
    let crashed = false;
    let t = mid;
    while (!crashed && t < END) {
      t += HOUR;
      clock.set(new Date(t));
      crashed = await crashing.tick(new Date(t)).then(
        () => false,
        (e: Error) => e.message === 'crash',
      );
    }
    expect(crashed, 'the crash happened').to.equal(true);
    const half = (await store.readStream(crashingOn.crashedOn!)).length;
    // …and a fresh one, started at the hour of the crash, that goes on to the end: its first tick recomputes the
    // account from its start, the half-written order's stream included.
    await tickHours(createTradingDesk(deps()), t - HOUR, END);
    const all = await orderEvents();
    expect(all.filter((e) => e.stream === crashingOn.crashedOn).length, 'the half-written order completed').to.be.greaterThan(half);
    expect(new Set(all.map((e) => e.id)).size, 'event ids').to.equal(all.length);
    // One fill event per filled order stream (each market order fills once, whole).
    const fills = all.filter((e) => e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled');
    expect(new Set(fills.map((e) => e.stream)).size).to.equal(fills.length);
    // The last restart at END: nothing more.
    await createTradingDesk(deps()).tick(new Date(END));
    expect((await orderEvents()).length).to.equal(all.length);
    // Until every order and every fill of the log is folded.
    const filled = fills.length;
    await project(
      [ordersProjection, positionsProjection],
      async () =>
        (await count(sql.unsafe`SELECT count(*) AS n FROM trading_fills`)) === filled &&
        (await count(sql.unsafe`SELECT count(*) AS n FROM trading_orders`)) === new Set(all.map((e) => e.stream)).size,
    );
  });

  it('holds a fill for each entry and exit of the backtest’s trades, at its prices, quantities and times', async () => {
    const ref = reference();
    expect(ref.closed.length, 'closed trades').to.be.greaterThan(3);
    expect(ref.open, 'a trade open at the end').to.not.equal(undefined);
    const rows = await pool.any(
      sql.unsafe`SELECT client_order_id, side, price, quantity, fee, realised_pnl, (extract(epoch FROM filled_at) * 1000)::float8 AS filled_ms
                   FROM trading_fills WHERE account = ${ACCOUNT} ORDER BY filled_at, client_order_id`,
    );
    const fills = rows as readonly FillRow[];
    const expected = [...ref.closed, ref.open!].flatMap((t) => {
      const long = t.side === 'long';
      const entry = { side: long ? 'buy' : 'sell', price: t.entryPrice, quantity: t.quantity, at: t.entryTime };
      return t === ref.open ? [entry] : [entry, { side: long ? 'sell' : 'buy', price: t.exitPrice, quantity: t.quantity, at: t.exitTime }];
    });
    expect(fills.length, 'fills').to.equal(expected.length);
    expected.forEach((e, i) => {
      const f = fills[i]!;
      expect(f.side, `fill ${i} side`).to.equal(e.side);
      expect(f.price, `fill ${i} price`).to.be.closeTo(e.price, 1e-9 * e.price);
      expect(f.quantity, `fill ${i} quantity`).to.be.closeTo(e.quantity, 1e-12 * e.quantity);
      expect(f.filled_ms, `fill ${i} time`).to.equal(e.at);
    });
    // Each closed trade's P&L is realised by its exit fill.
    ref.closed.forEach((t, k) => expect(fills[2 * k + 1]!.realised_pnl, `trade ${k} P&L`).to.be.closeTo(t.pnl, 1e-6));
  });

  it('shows the open position, the realised and unrealised P&L, and every order filled', async () => {
    const ref = reference();
    const open = await listPositions(pool, { account: ACCOUNT, status: 'open', limit: 10, offset: 0 });
    expect(open.length).to.equal(1);
    const p = open[0]!;
    expect(p.strategyId).to.equal(ID);
    expect(p.exchange).to.equal('paper');
    expect(p.quantity).to.be.closeTo((ref.open!.side === 'long' ? 1 : -1) * ref.open!.quantity, 1e-12);
    const realised = ref.closed.reduce((s, t) => s + t.pnl, 0);
    expect(p.realisedPnl).to.be.closeTo(realised, 1e-6);
    // Marked at the last stored close; realised + unrealised = the engine's equity at that close − the capital.
    expect(p.mark?.price).to.equal(ref.lastClose);
    expect(p.realisedPnl + p.unrealisedPnl!).to.be.closeTo(ref.equity - RUN.initialCapital, 1e-6);
    const [row] = await pnl(pool, { groupBy: 'strategy', strategyId: ID, limit: 10, offset: 0 });
    expect(row!.openPositions).to.equal(1);
    expect(row!.totalPnl!).to.be.closeTo(ref.equity - RUN.initialCapital, 1e-6);

    const orders = await listOrders(pool, { account: ACCOUNT, limit: 1000, offset: 0 });
    expect(orders.length).to.equal(2 * ref.closed.length + 1);
    expect(orders.every((o) => o.status === 'filled')).to.equal(true);
  });

  it('records a strategy with protective exits in one catch-up tick: stops and targets filled, or cancelled by their OCO sibling', async () => {
    const ref = reference(GENOME2);
    const account = `paper-${ID2}`;
    const trades = [...ref.closed, ...(ref.open === undefined ? [] : [ref.open])];
    expect(ref.closed.length, 'closed trades').to.be.greaterThan(3);
    // A pipeline restarted after a long stop (or a replay's first tick after the start): every bar in one tick.
    clock.set(new Date(END));
    await createTradingDesk(deps(store, ID2)).tick(new Date(END));
    const stored = (await orderEvents()).filter((e) => e.stream.includes(deskPrefix(account)));
    const fillEvents = stored.filter((e) => e.type === 'OrderFilled').length;
    const streams = new Set(stored.map((e) => e.stream)).size;
    await project(
      [ordersProjection, positionsProjection],
      async () =>
        (await count(sql.unsafe`SELECT count(*) AS n FROM trading_fills WHERE account = ${account}`)) === fillEvents &&
        (await count(sql.unsafe`SELECT count(*) AS n FROM trading_orders WHERE account = ${account}`)) === streams,
    );
    const fills = (await pool.any(
      sql.unsafe`SELECT side, price, quantity, (extract(epoch FROM filled_at) * 1000)::float8 AS filled_ms
                   FROM trading_fills WHERE account = ${account} ORDER BY filled_at, client_order_id`,
    )) as readonly FillRow[];
    const expected = trades.flatMap((t) => {
      const long = t.side === 'long';
      const entry = { side: long ? 'buy' : 'sell', price: t.entryPrice, at: t.entryTime };
      return t === ref.open ? [entry] : [entry, { side: long ? 'sell' : 'buy', price: t.exitPrice, at: t.exitTime }];
    });
    expect(fills.map((f) => [f.side, f.filled_ms])).to.deep.equal(expected.map((e) => [e.side, e.at]));
    expected.forEach((e, i) => expect(fills[i]!.price, `fill ${i} price`).to.be.closeTo(e.price, 1e-9 * e.price));
    const [position] = await listPositions(pool, { account, status: 'all', limit: 10, offset: 0 });
    expect(position!.realisedPnl).to.be.closeTo(
      ref.closed.reduce((sum, t) => sum + t.pnl, 0),
      1e-6,
    );
    // Every order: the entries and the exits that filled; each closed trade's other protective order cancelled by the
    // OCO (or by the strategy, on a signal exit); the open trade's stop and target resting.
    const orders = await listOrders(pool, { account, limit: 1000, offset: 0 });
    const by = (status: string) => orders.filter((o) => o.status === status).length;
    expect(by('filled')).to.equal(expected.length);
    expect(by('accepted')).to.equal(ref.open === undefined ? 0 : 2);
    expect(by('filled') + by('cancelled') + by('accepted')).to.equal(orders.length);
    expect(by('cancelled')).to.be.greaterThan(0);
  });
});

const sliceOf = (s: CandleSeries, from: number, to: number): CandleSeries => ({
  key: s.key,
  length: to - from,
  openTime: s.openTime.subarray(from, to),
  open: s.open.subarray(from, to),
  high: s.high.subarray(from, to),
  low: s.low.subarray(from, to),
  close: s.close.subarray(from, to),
  volume: s.volume.subarray(from, to),
  quoteVolume: s.quoteVolume.subarray(from, to),
  trades: s.trades.subarray(from, to),
});
