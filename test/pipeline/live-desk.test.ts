// The live desk (application/pipeline/live-desk.ts) against the loopback Binance through the real ccxt adapter, with
// real BTCUSDT 1h candles in PostgreSQL, ticked every hour of a simulated clock; before each tick the loopback's price
// is set to the close of the bar that just closed (where a market order sent at that close fills).
// 1. A Live strategy's signals reach the exchange as orders, through the risk gate: after each tick the exchange holds
//    exactly the buys and sells an independent backtest-engine run of the same genome over the same bars has entered
//    and exited by then (the engine knows nothing of the desk, the executor or the exchange).
// 2. A second tick at the same `now` sends nothing.
// 3. A fresh desk (a restart, the old one abandoned as kill -9 would) while a position is open: its first tick sends
//    nothing, it knows the position, and from then on the exchange's orders still match the engine (no second entry,
//    no id reused: every client order id on the exchange is distinct and at most 36 characters).
// 4. Each finished UTC day is one TradingDayClosed (mode live) with the exchange's equity at the day's last close
//    (USDT + BTC × that close, read from the loopback when the day ends), recorded once across the restart.
// 5. Deactivation while a position is open: the position is sold at market, nothing stays open, the account stops.
// 6. The risk gate is in front: an account whose limits forbid the entry sends nothing to the exchange.
// 7. kill -9 between the exchange taking an order and its record (the process dies as the placement returns): a fresh
//    desk records the fill from the exchange (reconciliation), knows the position, sends no second entry, and goes
//    on as the engine.
// 8. kill -9 after the strategy left Live, before the desk flattened its account (the desk is dropped once
//    StrategyDeactivated — or StrategyRetired — is appended): a fresh desk finds the account by its orders, cancels
//    what is open and sells the position once (the quantity the exchange's fills leave, less the fee taken in BTC, on
//    the lot); another fresh desk sends nothing more.
// 9. kill -9 in the middle of that flatten (the sell taken by the exchange, the process dying before its record): a
//    fresh desk records the sell's fill from the exchange and sends no second sell.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { createLiveDesk, liveOrderIdPrefix, type LiveDesk, type LiveDeskDeps } from '../../application/pipeline/live-desk.js';
import { scanLiveOrders } from '../../application/pipeline/live-leftovers.js';
import type { StepOutcome } from '../../application/pipeline/step.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Exchange } from '../../application/ports/exchange.js';
import type { Scheduler } from '../../application/trading/executor.js';
import { bindStrategy, compileGenome } from '../../domain/backtest/compile.js';
import { simulate } from '../../domain/backtest/engine.js';
import { fillConfigOf, type RunSettings } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { ExchangeId } from '../../domain/market/exchange.js';
import { performanceStream, type TradingDayClosed } from '../../domain/performance/events.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import type { CcxtExchange } from '../../infrastructure/exchange/ccxt/ccxt-exchange.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { loadCandles } from '../indicators/real-candles.js';
import { activationDecision } from '../projections/support.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { startLoopbackBinance, type LoopbackBinance } from '../support/loopback-binance.js';
import { loopbackExchange } from '../exchange/loopback-exchange.js';
import { LOOSE_RISK_LIMITS as LOOSE } from '../support/allow-all-gate.js';
import { candlesOf } from '../support/candle-rows.js';
import { DESK_BACKTEST, sendStrategyCommand } from './support/desk-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WARMUP = 1000 * HOUR; // WARMUP_BARS of 1h bars
const S1 = '11fe0000-0000-4000-8000-0000000000a1';
const S2 = '11fe0000-0000-4000-8000-0000000000a2';
const S3 = '11fe0000-0000-4000-8000-0000000000a3';
const S4 = '11fe0000-0000-4000-8000-0000000000a4';
const S5 = '11fe0000-0000-4000-8000-0000000000a5';
const S6 = '11fe0000-0000-4000-8000-0000000000a6';
const S7 = '11fe0000-0000-4000-8000-0000000000a7';
/** Activated at 05:40: the first bar the live account trades opens at 06:00. */
const ACTIVATED = Date.UTC(2022, 2, 1, 5, 40);
const FIRST_OPEN = Date.UTC(2022, 2, 1, 6);
const RUN: RunSettings = { takerFee: 0.001, makerFee: 0.001, slippage: 0, initialCapital: 10_000, sizing: { mode: 'fractional' } };
const BACKTEST = DESK_BACKTEST;
const GENOME: Genome = smaCrossoverGenome(5, 20, ['BTCUSDT']);
/** The same signals with a wide stop-loss: a position holds a resting stop on the exchange (an order to cancel). */
const GENOME_SL = { ...GENOME, exitRules: { stopLoss: 0.2 } } as unknown as Genome;

/** No test here waits for a timeout: a loaded machine must not make a placement look ambiguous (the default is 800 ms). */
const SLOW_MACHINE = { timeoutMs: 10_000 };

/** The polls by hand (a test runs none: market orders fill in their placement's reply). */
class ManualScheduler implements Scheduler {
  every() {
    return () => undefined;
  }
}

describe('live desk: Live strategies trade on the exchange (loopback Binance, real candles, PostgreSQL)', function () {
  this.timeout(600_000);
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let server: LoopbackBinance;
  let btc: CandleSeries;
  const opened: CcxtExchange[] = [];
  const desks: LiveDesk[] = [];
  const clock = fixedClock(new Date(ACTIVATED));
  const genomes = new Map<string, Genome>();
  /** Strategies the read model has not caught up with (a projection behind its streams). */
  const lagging = new Set<string>();

  /** The read-model port in memory: every strategy generated here, its revision its stream's length. */
  const strategies: LiveDeskDeps['strategies'] = {
    inPaperOrLive: async () => {
      const rows = [];
      for (const id of genomes.keys()) if (!lagging.has(id)) rows.push({ id, revision: (await store.readStream(`strategy-${id}`)).length });
      return rows;
    },
    genomes: (ids) => Promise.resolve(new Map(ids.filter((id) => genomes.has(id)).map((id) => [id, genomes.get(id)]))),
  };
  const deps = (over: Partial<LiveDeskDeps> = {}): LiveDeskDeps => ({
    store,
    clock,
    ids: uuidIds,
    strategies,
    candles,
    candleExchange: 'binance' as ExchangeId,
    run: RUN,
    riskLimits: LOOSE,
    mode: 'testnet',
    openExchange: (): Either<string, Exchange> => {
      const ex = loopbackExchange(server, SLOW_MACHINE);
      opened.push(ex);
      return either.right(ex);
    },
    cashAsset: 'USDT',
    scheduler: new ManualScheduler(),
    push: false,
    retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 },
    ...over,
  });
  const newDesk = (over: Partial<LiveDeskDeps> = {}) => {
    const d = createLiveDesk(deps(over));
    desks.push(d);
    return d;
  };
  const command = (type: StrategyCommand['type'], strategyId: string, data: unknown, at: number) =>
    sendStrategyCommand(store, clock, type, strategyId, data, at);
  const makeLive = async (id: string, genome: Genome, at: number) => {
    genomes.set(id, genome);
    await command('GenerateStrategy', id, { genome }, at - 3 * HOUR);
    await command('RecordBacktest', id, { result: BACKTEST }, at - 3 * HOUR + 60_000);
    await command('FilterStrategy', id, { verdict: { outcome: 'passed', reasons: [], thresholds: {} } }, at - 2 * HOUR);
    await command('StartPaperTrading', id, { decidedBy: 'system:pipeline', reason: 'passed the filter' }, at - HOUR);
    await command('ActivateStrategy', id, { decidedBy: 'operator:test', reason: 'the test', decision: activationDecision(1, [], id) }, at);
  };

  const closeOf = (openTime: number): number => {
    const i = btc.openTime.indexOf(openTime);
    if (i < 0) throw new Error(`no candle at ${new Date(openTime).toISOString()}`);
    return btc.close[i]!;
  };
  const days = async (id: string) => (await store.readStream(performanceStream(id))).map((e) => e.data as TradingDayClosed['data']);
  const balance = (asset: string) => server.balance(asset).free + server.balance(asset).locked;
  const orders = (prefix: string) => server.orders.filter((o) => o.clientOrderId.startsWith(prefix));
  const placements = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order').length;
  /** The exchange's equity when each live day was recorded (the tick at the day's end), keyed by day. */
  const equityAtRecord = new Map<string, { equity: number; dustBound: number }>();
  /** BTCUSDT's lot on the loopback (its LOT_SIZE stepSize): a buy leaves less than one lot of dust on the account. */
  const LOT = 0.00001;

  /** Ticks every hour in (from, to]; the price first moves to the close of the bar that just closed. */
  const tickHours = async (desk: LiveDesk, from: number, to: number, each?: (t: number) => void): Promise<StepOutcome[]> => {
    const out: StepOutcome[] = [];
    for (let t = from + HOUR; t <= to; t += HOUR) {
      server.setPrice('BTCUSDT', closeOf(t - HOUR));
      clock.set(new Date(t));
      const before = (await days(S1)).length;
      out.push(await desk.tick(new Date(t)));
      const after = await days(S1);
      for (const d of after.slice(before)) {
        const close = closeOf(d.at - HOUR);
        const buys = server.orders.filter((o) => o.side === 'BUY' && o.clientOrderId.startsWith(liveOrderIdPrefix(`live-${S1}`))).length;
        equityAtRecord.set(d.day, { equity: balance('USDT') + balance('BTC') * close, dustBound: buys * LOT * close });
      }
      each?.(t);
    }
    return out;
  };

  /** The engine's entries and exits (fill times) for an account whose first bar opens at `firstOpen`. */
  const engineTrades = async (firstOpen: number) => {
    const series = await candles.readSeries(btc.key, { from: firstOpen - WARMUP, to: FIRST_OPEN + 20 * DAY });
    const from = series.openTime.findIndex((t) => t >= firstOpen);
    const sim = simulate(bindStrategy(compileGenome(GENOME), series, new IndicatorCache()), from, series.length, RUN.initialCapital, fillConfigOf(RUN));
    const last = series.openTime[series.length - 1]!;
    return { entries: sim.trades.map((tr) => tr.entryTime), exits: sim.trades.map((tr) => tr.exitTime).filter((e) => e < last) };
  };

  /** The engine's entries and exits (fill times at a bar's open) over the stored bars from the first live bar. */
  let entries: number[] = [];
  let exits: number[] = [];
  const engineCounts = (t: number) => ({ buys: entries.filter((e) => e <= t).length, sells: exits.filter((e) => e <= t).length });
  const exchangeCounts = () => {
    const mine = orders(liveOrderIdPrefix(`live-${S1}`));
    return { buys: mine.filter((o) => o.side === 'BUY').length, sells: mine.filter((o) => o.side === 'SELL').length };
  };

  before(async () => {
    db = await freshDatabase('live_desk');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    btc = loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT');
    await candles.writeCandles(btc.key, candlesOf(btc, FIRST_OPEN - WARMUP - 2 * DAY, FIRST_OPEN + 20 * DAY));
    server = await startLoopbackBinance({ prices: { BTCUSDT: closeOf(FIRST_OPEN - HOUR), ETHBTC: 0.05 }, balances: { USDT: 10_000 } });
    await makeLive(S1, GENOME, ACTIVATED);
    // The reference: the engine over the same stored bars (warm-up before the first live bar), to 10 days on.
    ({ entries, exits } = await engineTrades(FIRST_OPEN));
  });
  after(async () => {
    for (const d of desks) await d.close();
    for (const ex of opened) await ex.close();
    await server?.close();
    await store?.close();
    await candles?.close();
    await db?.drop();
  });

  let now = Date.UTC(2022, 2, 1, 5);
  let first: LiveDesk;
  /** When the restart comes: the first hour after day 2 at which the engine holds a position. */
  let restartAt = 0;

  it('sends the signals of a Live strategy to the exchange as orders, as the engine enters and exits', async () => {
    expect(entries.length, 'the engine trades over those days').to.be.greaterThan(4);
    restartAt = FIRST_OPEN + 2 * DAY;
    while (!(engineCounts(restartAt).buys > engineCounts(restartAt).sells)) restartAt += HOUR;
    first = newDesk();
    const mismatches: string[] = [];
    const outcomes = await tickHours(first, now, (now = restartAt), (t) => {
      const want = engineCounts(t);
      const got = exchangeCounts();
      if (want.buys !== got.buys || want.sells !== got.sells) mismatches.push(`${new Date(t).toISOString()}: ${JSON.stringify({ want, got })}`);
    });
    expect(mismatches).to.deep.equal([]);
    expect(outcomes.flatMap((o) => o.notes)).to.deep.equal([`live-${S1}: trading on binance (testnet) from ${new Date(FIRST_OPEN).toISOString()}`]);
    const mine = orders(liveOrderIdPrefix(`live-${S1}`));
    expect(mine.every((o) => o.status === 'FILLED' && o.type === 'MARKET')).to.equal(true);
    // Each order went through the executor: its stream starts with OrderPlaced (after the risk gate let it through).
    for (const o of mine) expect((await store.readStream(`order-${o.clientOrderId}`))[0]!.type).to.equal('OrderPlaced');
    expect(first.accounts()).to.deep.equal([{ name: `live-${S1}`, ordersSent: mine.length, position: 1 }]);
  });

  it('sends nothing on a second tick at the same now', async () => {
    const before = placements();
    const again = await first.tick(new Date(now));
    expect(again).to.deep.equal({ appended: 0, notes: [] });
    expect(placements()).to.equal(before);
  });

  it('a fresh desk (a restart with a position open) sends nothing again, knows its position, and goes on as the engine', async () => {
    const before = placements();
    const fresh = newDesk();
    const outcome = await fresh.tick(new Date(now));
    expect(placements(), 'orders placed by the restarted desk at the same now').to.equal(before);
    expect(outcome.appended).to.equal(0);
    expect(fresh.accounts().map((a) => a.position)).to.deep.equal([1]);
    const mismatches: string[] = [];
    // On until the engine holds a position again after at least one more round trip.
    let stopAt = now + DAY;
    while (!(engineCounts(stopAt).buys > engineCounts(stopAt).sells && engineCounts(stopAt).sells > engineCounts(now).sells)) stopAt += HOUR;
    await tickHours(fresh, now, (now = stopAt), (t) => {
      const want = engineCounts(t);
      const got = exchangeCounts();
      if (want.buys !== got.buys || want.sells !== got.sells) mismatches.push(`${new Date(t).toISOString()}: ${JSON.stringify({ want, got })}`);
    });
    expect(mismatches).to.deep.equal([]);
    const ids = orders(liveOrderIdPrefix(`live-${S1}`)).map((o) => o.clientOrderId);
    expect(new Set(ids).size, 'distinct client order ids').to.equal(ids.length);
    expect(Math.max(...ids.map((id) => id.length))).to.be.at.most(36);
    first = fresh;
  });

  it('records each finished day once, mode live, with the strategy’s own equity (its fills) at the day’s last close', async () => {
    const recorded = await days(S1);
    const expectedDays: string[] = [];
    for (let d = Date.UTC(2022, 2, 1); d + DAY <= now; d += DAY) expectedDays.push(new Date(d).toISOString().slice(0, 10));
    expect(recorded.map((d) => d.day)).to.deep.equal(expectedDays);
    let previous = RUN.initialCapital;
    for (const d of recorded) {
      expect(d.mode).to.equal('live');
      expect(d.account).to.equal(`live-${S1}`);
      // The strategy's books are built from its fills; the exchange account differs from them by the dust the buys leave
      // (the fee is taken in the coin bought, quantities are floored to whole lots): less than one lot per buy, marked at
      // the close. A day recorded from the wrong bar or with the position left out is off by far more.
      const exchange = equityAtRecord.get(d.day)!;
      expect(Math.abs(d.equity - exchange.equity), d.day).to.be.at.most(exchange.dustBound + 1e-6);
      expect(d.dayReturn).to.be.closeTo(d.equity / previous - 1, 1e-12);
      previous = d.equity;
    }
  });

  it('deactivation sells the position at market and leaves nothing open', async () => {
    expect(balance('BTC')).to.be.greaterThan(0.001);
    const sellsBefore = exchangeCounts().sells;
    await command('DeactivateStrategy', S1, { decidedBy: 'operator:test', reason: 'the test', decision: activationDecision(1, []) }, now + 60_000);
    const out = await tickHours(first, now, (now += HOUR));
    expect(out[0]!.notes).to.deep.equal([`live-${S1}: stopped on binance (the strategy left Live): 0 open order(s) cancelled, its position closed at market`]);
    expect(exchangeCounts().sells).to.equal(sellsBefore + 1);
    // What is left is dust: each buy's fee (charged in BTC) leaves at most one lot (0.00001) the runner cannot sell.
    expect(balance('BTC'), 'BTC left').to.be.below(exchangeCounts().buys * 0.00001);
    expect(server.orders.filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED')).to.deep.equal([]);
    expect(first.accounts()).to.deep.equal([]);
    // A later tick, and a fresh desk, send nothing for it.
    const before = placements();
    await first.tick(new Date(now + HOUR));
    await newDesk().tick(new Date(now + HOUR));
    expect(placements()).to.equal(before);
  });

  it('the risk gate is in front: an entry its limits forbid never reaches the exchange', async () => {
    const tight = { ...LOOSE, maxPositionNotional: 50 } as unknown as RiskLimits;
    await makeLive(S2, GENOME, now);
    const desk = newDesk({ riskLimits: tight });
    const before = placements();
    const outcomes = await tickHours(desk, now, now + 3 * DAY);
    const refused = outcomes.flatMap((o) => o.notes).filter((n) => n.includes('refused'));
    expect(refused.length, 'entries refused').to.be.greaterThan(0);
    expect(orders(liveOrderIdPrefix(`live-${S2}`))).to.deep.equal([]);
    expect(placements()).to.equal(before);
    await command('DeactivateStrategy', S2, { decidedBy: 'operator:test', reason: 'the test', decision: activationDecision(1, []) }, (now += 3 * DAY));
  });

  it('kill -9 as the exchange fills an entry, before it is recorded: a fresh desk records the fill, no second entry', async () => {
    const prefix = liveOrderIdPrefix(`live-${S3}`);
    const activated = now + 20 * 60_000;
    await makeLive(S3, GENOME, activated);
    const ref = await engineTrades(Math.ceil(activated / HOUR) * HOUR);
    const counts = () => {
      const mine = orders(prefix);
      return { buys: mine.filter((o) => o.side === 'BUY').length, sells: mine.filter((o) => o.side === 'SELL').length };
    };
    // The account holds the capital the runner sizes from (S1's trades left it with less).
    server.setBalance('USDT', RUN.initialCapital);
    // The first desk's exchange: the placement reaches the exchange, then the process "dies" before hearing back (no
    // retry: a dead process retries nothing).
    const dying = newDesk({
      retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 },
      openExchange: (account) => {
        const ex = loopbackExchange(server, SLOW_MACHINE);
        opened.push(ex);
        if (account !== `live-${S3}`) return either.right(ex);
        const killed: Exchange = Object.create(ex, {
          placeOrder: {
            value: (spec: Parameters<Exchange['placeOrder']>[0]) => async () => {
              expect(either.isRight(await ex.placeOrder(spec)())).to.equal(true);
              throw new Error('kill -9');
            },
          },
        });
        return either.right(killed);
      },
    });
    let crashedAt = 0;
    for (let t = Math.floor(activated / HOUR) * HOUR + HOUR; crashedAt === 0; t += HOUR) {
      server.setPrice('BTCUSDT', closeOf(t - HOUR));
      clock.set(new Date(t));
      try {
        await dying.tick(new Date(t));
      } catch (err) {
        expect((err as Error).message).to.equal('kill -9');
        crashedAt = t;
      }
      if (t > activated + 5 * DAY) throw new Error('no entry in five days');
    }
    expect(counts()).to.deep.equal({ buys: 1, sells: 0 });
    const [placed] = orders(prefix);
    expect((await store.readStream(`order-${placed!.clientOrderId}`)).map((e) => e.type)).to.deep.equal(['OrderPlaced']);
    // Started again: the exchange's fill is recorded once, the runner holds the position, nothing is sent again.
    const fresh = newDesk();
    await fresh.tick(new Date(crashedAt));
    expect(counts()).to.deep.equal({ buys: 1, sells: 0 });
    expect((await store.readStream(`order-${placed!.clientOrderId}`)).map((e) => e.type)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
    expect(fresh.accounts().find((a) => a.name === `live-${S3}`)?.position).to.equal(1);
    // On to the engine's second exit: the same buys and sells hour by hour.
    const mismatches: string[] = [];
    expect(ref.exits.filter((e) => e > crashedAt).length, 'engine exits after the crash').to.be.at.least(2);
    const until = ref.exits[1]!;
    await tickHours(fresh, crashedAt, until, (t) => {
      const want = { buys: ref.entries.filter((e) => e <= t).length, sells: ref.exits.filter((e) => e <= t).length };
      const got = counts();
      if (want.buys !== got.buys || want.sells !== got.sells) mismatches.push(`${new Date(t).toISOString()}: ${JSON.stringify({ want, got })}`);
    });
    expect(mismatches).to.deep.equal([]);
    expect(counts().sells).to.equal(2);
  });
  /** Placements of orders whose client order id starts with `prefix` (a second placement of one id counts twice). */
  const placementsOf = (prefix: string) =>
    server.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order' && (r.params.newClientOrderId ?? '').startsWith(prefix)).length;
  const openOn = (prefix: string) => orders(prefix).filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED');
  /**
   * Waits until the log's reading shows every order the exchange holds for `prefix` (it shows an event once no older
   * transaction is open anywhere on the server: other suites' transactions hold recent events back for a moment). A
   * restart comes seconds after a crash; the desk finds a left-open account by that reading.
   */
  const logShows = async (account: string, prefix: string) => {
    const want = orders(prefix).map((o) => o.clientOrderId);
    for (let i = 0; i < 400; i++) {
      const seen = (await scanLiveOrders(store, new Map(), undefined)).accounts.get(account)?.orders ?? [];
      if (want.every((id) => seen.includes(id))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the log does not show ${account}'s orders`);
  };
  /** Ticks `desk` hourly from `from` until `done()` (at most five days); the time of the last tick. */
  const tickUntil = async (desk: LiveDesk, from: number, done: () => boolean): Promise<number> => {
    for (let t = from + HOUR; ; t += HOUR) {
      if (t > from + 5 * DAY) throw new Error('the condition did not come in five days');
      server.setPrice('BTCUSDT', closeOf(t - HOUR));
      clock.set(new Date(t));
      await desk.tick(new Date(t));
      if (done()) return t;
    }
  };

  it('kill -9 after the strategy left Live, before its account was flattened: a fresh desk flattens it once', async () => {
    // S3 (the previous test) stops trading; it ends flat, so no desk has anything to do for it.
    await command('DeactivateStrategy', S3, { decidedBy: 'operator:test', reason: 'the test', decision: activationDecision(1, []) }, now);
    server.setBalance('USDT', 10 * RUN.initialCapital);
    const prefix = liveOrderIdPrefix(`live-${S4}`);
    const activated = now + 20 * 60_000;
    await makeLive(S4, GENOME_SL, activated);
    const dropped = newDesk();
    const held = await tickUntil(dropped, Math.floor(activated / HOUR) * HOUR, () =>
      dropped.accounts().some((a) => a.name === `live-${S4}` && a.position === 1),
    );
    const [entry] = orders(prefix).filter((o) => o.side === 'BUY');
    expect(entry!.status).to.equal('FILLED');
    expect(
      openOn(prefix).map((o) => o.type),
      'the stop-loss resting on the exchange',
    ).to.deep.equal(['STOP_LOSS']);
    // The strategy leaves Live; the process dies before the desk's next tick (the desk is dropped, never ticked again).
    await command('DeactivateStrategy', S4, { decidedBy: 'operator:test', reason: 'the test', decision: activationDecision(1, []) }, held + 60_000);
    const placed = placementsOf(prefix);
    // What the exchange holds of the entry, as the runner books it: the quantity less the fee taken in BTC, on the lot.
    const fee = entry!.trades.reduce((a, t) => a + (t.commissionAsset === 'BTC' ? t.commission : 0), 0);
    const expected = Math.floor((entry!.executedQty - fee) / LOT + 1e-6) * LOT;
    const t1 = held + HOUR;
    server.setPrice('BTCUSDT', closeOf(t1 - HOUR));
    clock.set(new Date(t1));
    await logShows(`live-${S4}`, prefix);
    const out = await newDesk().tick(new Date(t1));
    expect(out.notes).to.deep.equal([
      `live-${S4}: flattened on binance after a restart (its strategy left Live before the account was stopped): 1 open order(s) cancelled, its position (${expected} BTCUSDT) closed at market`,
    ]);
    expect(placementsOf(prefix), 'one sell placed').to.equal(placed + 1);
    const sells = orders(prefix).filter((o) => o.side === 'SELL' && o.type === 'MARKET');
    expect(sells.map((o) => [o.status, o.origQty])).to.deep.equal([['FILLED', expected]]);
    expect(openOn(prefix), 'nothing left open').to.deep.equal([]);
    const sell = await store.readStream(`order-${sells[0]!.clientOrderId}`);
    expect(sell.map((e) => e.type)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
    expect((sell[0]!.data as { spec: { purpose: string } }).spec.purpose).to.equal('end_of_data');
    // Once: a later tick, a second fresh desk, and a third after it send nothing more and say nothing of it.
    for (const t of [t1 + HOUR, t1 + 2 * HOUR]) {
      server.setPrice('BTCUSDT', closeOf(t - HOUR));
      clock.set(new Date(t));
      const again = await newDesk().tick(new Date(t));
      expect(again.notes.filter((n) => n.includes(S4))).to.deep.equal([]);
    }
    expect(placementsOf(prefix)).to.equal(placed + 1);
    now = t1 + 2 * HOUR;
  });

  it('kill -9 in the middle of the flatten (the sell taken, not recorded): a fresh desk records it and sells nothing more', async () => {
    const prefix = liveOrderIdPrefix(`live-${S5}`);
    const activated = now + 20 * 60_000;
    await makeLive(S5, GENOME, activated);
    // The first desk's exchange dies as a placement returns, once armed (after the strategy left Live).
    let armed = false;
    const dying = newDesk({
      retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 },
      openExchange: (account) => {
        const ex = loopbackExchange(server, SLOW_MACHINE);
        opened.push(ex);
        if (account !== `live-${S5}`) return either.right(ex);
        const killed: Exchange = Object.create(ex, {
          placeOrder: {
            value: (spec: Parameters<Exchange['placeOrder']>[0]) => async () => {
              const r = await ex.placeOrder(spec)();
              if (!armed) return r;
              expect(either.isRight(r)).to.equal(true);
              throw new Error('kill -9');
            },
          },
        });
        return either.right(killed);
      },
    });
    const held = await tickUntil(dying, Math.floor(activated / HOUR) * HOUR, () => dying.accounts().some((a) => a.name === `live-${S5}` && a.position === 1));
    // Retired this time (a retired strategy is in no desk's list of strategies to trade).
    await command('RetireStrategy', S5, { decidedBy: 'operator:test', reason: 'the test' }, held + 60_000);
    const placed = placementsOf(prefix);
    armed = true;
    const t1 = held + HOUR;
    server.setPrice('BTCUSDT', closeOf(t1 - HOUR));
    clock.set(new Date(t1));
    let died = false;
    try {
      await dying.tick(new Date(t1));
    } catch (err) {
      expect((err as Error).message).to.equal('kill -9');
      died = true;
    }
    expect(died, 'the desk died as the sell was placed').to.equal(true);
    expect(placementsOf(prefix)).to.equal(placed + 1);
    const [sold] = orders(prefix).filter((o) => o.side === 'SELL');
    expect(sold!.status).to.equal('FILLED');
    expect((await store.readStream(`order-${sold!.clientOrderId}`)).map((e) => e.type)).to.deep.equal(['OrderPlaced']);
    // Started again: the sell's fill comes from the exchange (reconciliation); no second sell.
    await logShows(`live-${S5}`, prefix);
    const out = await newDesk().tick(new Date(t1));
    expect(out.notes).to.deep.equal([
      `live-${S5}: flattened on binance after a restart (its strategy left Live before the account was stopped): 0 open order(s) cancelled`,
    ]);
    expect((await store.readStream(`order-${sold!.clientOrderId}`)).map((e) => e.type)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
    expect(placementsOf(prefix), 'no second sell').to.equal(placed + 1);
    const again = await newDesk().tick(new Date(t1 + HOUR));
    expect(again.notes.filter((n) => n.includes(S5))).to.deep.equal([]);
    expect(placementsOf(prefix)).to.equal(placed + 1);
    now = t1 + HOUR;
  });

  let s6Desk: LiveDesk;
  it('reads only what is new: each tick the bar closed since the last, the performance stream after what it read', async () => {
    const reads: { from: number; to: number }[] = [];
    const performanceReads: (bigint | undefined)[] = [];
    const counting: LiveDeskDeps['candles'] = {
      readSeries: (key, range) => {
        if (key.symbol === 'BTCUSDT' && key.interval === '1h') reads.push({ from: range!.from!, to: range!.to! });
        return candles.readSeries(key, range);
      },
    };
    const watched = new Proxy(store, {
      get(target, prop) {
        if (prop === 'readStream')
          return (name: string, options?: Parameters<EventStore['readStream']>[1]) => {
            if (name === performanceStream(S6)) performanceReads.push(options?.fromRevision);
            return target.readStream(name, options);
          };
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
      },
    });
    const activated = now + 20 * 60_000;
    await makeLive(S6, GENOME, activated);
    const firstOpen = Math.ceil(activated / HOUR) * HOUR;
    const desk = (s6Desk = newDesk({ candles: counting, store: watched }));
    const ticks: number[] = [];
    for (let t = firstOpen; t <= firstOpen + 3 * DAY; t += HOUR) {
      server.setPrice('BTCUSDT', closeOf(t - HOUR));
      clock.set(new Date(t));
      await desk.tick(new Date(t));
      ticks.push(t);
    }
    // The first tick reads the warm-up and the bars closed by then; each later one the bar closed since (open times
    // in [from, to]): one bar, never the series again.
    expect(reads[0]).to.deep.equal({ from: firstOpen - WARMUP, to: ticks[0]! - HOUR + 1 });
    expect(reads.slice(1)).to.deep.equal(ticks.slice(1).map((t) => ({ from: t - 2 * HOUR + 1, to: t - HOUR + 1 })));
    // Three days recorded; each read of the stream starts after the events read before (the empty stream, then day 1).
    const recorded = await store.readStream(performanceStream(S6));
    expect(recorded.map((e) => (e.data as TradingDayClosed['data']).day)).to.have.length(3);
    expect(performanceReads).to.deep.equal([0n, 0n, 1n]);
    // Recorded as the command handler records them: event id and idempotency key from (strategy, account, day).
    for (const e of recorded) {
      const key = `trading-day:${S6}:live-${S6}:${(e.data as TradingDayClosed['data']).day}`;
      expect(e.eventId).to.equal(uuidIds.idFor(`${key}:CloseTradingDay:0`));
      expect((e.metadata as { idempotencyKey?: string }).idempotencyKey).to.equal(key);
    }
  });

  it('an account Live by its strategy’s stream is not flattened when the read model lags behind', async () => {
    const prefix = liveOrderIdPrefix(`live-${S6}`);
    const from = Math.floor(now / HOUR) * HOUR + 3 * DAY;
    const held = s6Desk.accounts().some((a) => a.position === 1)
      ? from
      : await tickUntil(s6Desk, from, () => s6Desk.accounts().some((a) => a.name === `live-${S6}` && a.position === 1));
    const placed = placementsOf(prefix);
    lagging.add(S6);
    const out = await newDesk().tick(new Date(held));
    expect(out.notes.filter((n) => n.includes(S6))).to.deep.equal([]);
    expect(placementsOf(prefix), 'nothing sold').to.equal(placed);
    lagging.delete(S6);
  });

  it('a Live strategy whose operand data is missing sends nothing and says why, once; the other accounts go on', async () => {
    // GENOME entering only while Fear & Greed is under 60: the desk has no daily series store wired.
    const fng = {
      ...GENOME,
      entry: { ...GENOME.entry, conditions: [...GENOME.entry.conditions, { left: { daily: 'fear_greed', measure: 'level' }, op: 'lt', right: { value: 60 } }] },
    } as unknown as Genome;
    const at = Math.floor(now / HOUR) * HOUR + 4 * DAY;
    await makeLive(S7, fng, at - 20 * 60_000);
    const desk = newDesk();
    const first = await desk.tick(new Date(at + HOUR));
    const second = await desk.tick(new Date(at + 2 * HOUR));
    const said = [...first.notes, ...second.notes].filter((n) => n.startsWith(`live-${S7}: cannot trade`));
    expect(said, JSON.stringify(first.notes)).to.have.length(1);
    expect(said[0]).to.contain('OPERAND_DATA_MISSING').and.contain('daily:fear_greed.level');
    expect(placementsOf(liveOrderIdPrefix(`live-${S7}`)), 'no order of its account').to.equal(0);
    expect(await days(S7), 'no trading day recorded for it').to.deep.equal([]);
    // The other Live accounts were ticked as usual (the one without data does not stop them).
    expect(desk.accounts().filter((a) => a.name !== `live-${S7}`)).to.not.deep.equal([]);
  });
});
