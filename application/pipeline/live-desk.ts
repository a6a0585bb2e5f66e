// The live desk (doc/paper-trading.md, "Live accounts"; doc/exchanges.md): with TRADING_MODE=testnet or live, every
// Live strategy trades its live account `live-<strategyId>[-<n>]` on the real venue. Per account: startLiveAccount
// (reconcile with the exchange, risk gate seeded from its balances, orders resumed, push + poll), and a StrategyRunner
// whose router is the account's Executor (risk gate → order stream → exchange). At tick(now) it feeds the runner the
// bars closed by `now` that it has not seen (stored candles; the paper desk's rule: from the first bar opening at or
// after the StrategyActivated). When the strategy leaves Live (deactivated, retired) the account is stopped: its open
// orders cancelled, its position closed at market.
//
// Restart safety (kill -9 anywhere, start again: no order placed twice, no second entry). What it relies on:
// - The runner's client order ids are derived from the position they belong to (runner option orderIds 'position':
//   `<prefix>-<entry bar, s base 36>-<purpose>`), never from a per-run counter, and the prefix from the account's
//   name: a restart makes the same ids for the same decisions.
// - A fresh desk replays the account's bars from the activation through a resuming router: an order whose stream
//   already exists is not sent again; the runner is told its recorded fills and end instead, so its books (position,
//   cash, OCO group) are those of the run before the crash and it does not enter twice. An order recorded as placed
//   but whose sending the crash interrupted goes to the executor, which re-sends it under the same id after looking it
//   up (its own idempotency, doc/orders.md).
// - Each fill reaches the runner once by (client order id, trade id), each end once (live-fills.ts): a poll resumed
//   at start may record a partial fill of an order while the replay reads that order's stream.
// - startLiveAccount's reconciliation adopts fills the exchange made while the process was down and resumes the polling
//   of the orders still open; the risk gate is seeded from the exchange's balances.
// - A crash after the strategy left Live but before its account was flattened (live-leftovers.ts): every tick scans
//   the log's live orders on from where it stopped; an account that is not Live (by the read model and by its
//   strategy's own stream) and still has an order not ended or a position is started, reconciled, its open orders
//   cancelled and its position sold at market under the runner's next exit id of the group (`<group>-d<n>`): the
//   sell's fill closes the group, so the next desk finds nothing; a sell the crash interrupted is found by that id
//   and its fill recorded by the reconciliation, not sent again.
// Reads: the candles after the last bar read (the series is kept and grows), the performance stream after the last
// event read (its days are appended at the revision read, as handleCommand would record them; another writer in
// between sends it back to handleCommand). The strategy's indicators are still computed over the whole kept series at
// each tick that feeds a bar (what the paper desk does too).
// Known limits: a flatten sell the exchange rejects (the coin sold by hand, the account short of it) is noted, and
// tried again under the next id at the next restart; all live accounts share one exchange account (below).
//
// Each UTC day whose last bar the desk has fed becomes one TradingDayClosed (mode live) on performance-<strategyId>,
// its equity the strategy's own books — the runner's cash and position, built from the exchange's fills of its own
// orders — marked at the day's last close (after a downtime: the books now, marked at that close). Not the exchange's
// balances: live strategies share one exchange account. Event ids from (strategy, account, day).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { WARMUP_BARS } from '../backtest/run-in-process.js';
import { eventMetadata, handleCommand, loadStream, type CommandDeps } from '../commands/handle-command.js';
import { decodeAll } from '../events/decode-event.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { Exchange } from '../ports/exchange.js';
import type { RetryPolicy, Scheduler } from '../trading/executor.js';
import { startLiveAccount, type LiveAccount, type LiveTradingMode } from '../trading/live-account.js';
import type { FillNotice, OrderEndNotice, OrderListener, OrderRouter, RoutedOrder } from '../trading/order-router.js';
import { booked, lastFeeCurrency, readOrder, RunnerFeed } from './live-fills.js';
import { foldAccountOrders, foldOrders, leftOpen, scanLiveOrders, type LiveAccountOrders, type LiveOrdersScan } from './live-leftovers.js';
import { StrategyRunner } from '../trading/runner.js';
import type { PipelineStep, StepOutcome } from './step.js';
import { deskAccountName, type TradingStrategies } from './trading-desk.js';
import { operandDataForSeries, type OperandSources } from '../backtest/operand-data-loader.js';
import { OperandDataError } from '../../domain/backtest/operand-data.js';
import { bindStrategy, compileGenome, fillSignals, type CompiledGenome } from '../../domain/backtest/compile.js';
import { orderStream } from '../../domain/execution/events.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import { fnv1a64 } from '../../domain/learning/fingerprint.js';
import { orderDecider } from '../../domain/execution/order-decider.js';
import { fillConfigOf, type RunSettings } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { INTERVAL_MS, type Candle, type CandleSeries, type Interval } from '../../domain/market/candles.js';
import { GrowingSeries } from '../../domain/market/growing-series.js';
import type { ExchangeId } from '../../domain/market/exchange.js';
import { performanceDecider, type PerformanceState } from '../../domain/performance/decide.js';
import { performanceStream, type PerformanceEvent, type TradingDayClosed } from '../../domain/performance/events.js';
import { DAY_MS, dayStart, utcDay } from '../../domain/performance/record.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import { strategyStream, type StrategyEvent } from '../../domain/strategy/events.js';
import { evolve, initialState, type StrategyState } from '../../domain/strategy/state.js';

export interface LiveDeskDeps extends CommandDeps {
  /** (the paper desk's port: what it lists and the genomes) */
  readonly strategies: Pick<TradingStrategies, 'inPaperOrLive' | 'genomes'>;
  readonly candles: Pick<CandleStore, 'readSeries'>;
  /** The exchange whose stored candles the strategies trade on (the candle store's key). */
  readonly candleExchange: ExchangeId;
  /** Daily series and recorded predictions for genomes with such operands (other symbols' candles come from `candles`). */
  readonly operands?: OperandSources;
  /** Sizing, fees of the runner's books, and the initial capital a live account is expected to hold. */
  readonly run: RunSettings;
  readonly riskLimits: RiskLimits;
  /** config.trading.mode: the desk refuses to start an account in paper (startLiveAccount says why). */
  readonly mode: LiveTradingMode;
  /** Opens the venue for one account (the ccxt adapter's openCcxtExchange). */
  readonly openExchange: (account: string) => Either<string, Exchange>;
  /** The asset cash is counted in (USDT). */
  readonly cashAsset: string;
  /** Runs the executor's status polls. */
  readonly scheduler: Scheduler;
  readonly pollIntervalMs?: number;
  readonly push?: boolean;
  readonly retry?: RetryPolicy;
  /** Default `system:pipeline`. */
  readonly actor?: Actor;
}

/** What the live desk exposes besides the step: stopping every account (process shutdown). */
export interface LiveDesk extends PipelineStep {
  /** Stops the polling and push channels (orders and positions stay on the exchange). */
  close(): Promise<void>;
  /** The accounts it trades now and the orders each runner has sent this run. */
  accounts(): readonly { readonly name: string; readonly ordersSent: number; readonly position: number }[];
}

/** The client order id prefix of a live account: short (Binance allows 36 characters per id), from its name. */
/** A fill as the runner books it (live-fills.ts). */
export { booked } from './live-fills.js';

export const liveOrderIdPrefix = (account: string): string => `L${fnv1a64(account).slice(0, 12)}`;

interface LiveInfo {
  readonly revision: number;
  readonly state: StrategyState;
  readonly compiled: CompiledGenome;
  readonly live: { readonly start: number; readonly n: number } | undefined;
}

/**
 * The router of a live runner: an order whose stream exists (sent by a run before a restart) is not sent again — the
 * runner hears what became of it from its stream (through the feed: each fill once); any other goes to the executor.
 */
class ResumingRouter implements OrderRouter {
  constructor(
    private readonly deps: CommandDeps,
    private readonly live: LiveAccount,
    private readonly feed: RunnerFeed,
  ) {}

  async submit(order: RoutedOrder): Promise<void> {
    const id = order.spec.clientOrderId;
    this.feed.sentOrder(order);
    const loaded = await loadStream(this.deps.store, orderStream(id), orderDecider);
    if (either.isLeft(loaded)) throw new Error(`live desk: order ${id} unreadable: ${JSON.stringify(loaded.left)}`);
    const s = loaded.right.state.status;
    // New, or recorded as placed and maybe never sent: the executor (its idempotency by client order id) handles it.
    if (s === 'Initial' || s === 'Placed' || s === 'Triggered') return this.live.executor.submit(order);
    await this.feed.catchUp(id);
  }

  async cancel(account: string, symbol: string, clientOrderId: RoutedOrder['spec']['clientOrderId']): Promise<void> {
    await this.live.executor.cancel(account, symbol, clientOrderId);
  }
}

/** One live account: its exchange connection, its runner, the bars fed so far. */
interface Slot {
  readonly name: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly interval: Interval;
  readonly compiled: CompiledGenome;
  readonly firstOpen: number;
  readonly account: LiveAccount;
  readonly runner: StrategyRunner;
  /** Its stored candles from the warm-up on, read as they close (each tick reads only the bars after the last read). */
  readonly candles: GrowingSeries;
  /** Open time of the last bar fed (NaN before the first). */
  lastOpen: number;
  /** Close time of the first bar fed by this run after the replay: held orders are checked against later bars only. */
  readonly startedAt: number;
  /** Signals of the bar being fed. */
  bits: number;
}

/** What the desk knows of a strategy's performance stream: read from `next` on, never again from the start. */
interface PerformanceCursor {
  next: bigint;
  /** The decider's state over every event read, for appending with the revision read (no reload per day). */
  state: PerformanceState;
  /** `<account>:<day>` of every day recorded. */
  readonly days: Set<string>;
  /** The last equity and trade count recorded per account. */
  readonly last: Map<string, { equity: number; tradesTotal: number }>;
}

const iso = (ms: number) => new Date(ms).toISOString();

export const createLiveDesk = (deps: LiveDeskDeps): LiveDesk => {
  const actor = deps.actor ?? ('system:pipeline' as Actor);
  const infos = new Map<string, LiveInfo>();
  const slots = new Map<string, Slot>();
  const performance = new Map<string, PerformanceCursor>();
  /** The live accounts by their orders in the log, scanned on from where the last tick stopped. */
  let scanned: LiveOrdersScan = { accounts: new Map(), touched: new Set(), position: undefined };
  /** Accounts to look at: touched by a scan, or left open and not flattened yet (the exchange was unreachable). */
  const toCheck = new Set<string>();
  const told = new Set<string>();
  const tell = (notes: string[], note: string) => {
    if (told.has(note)) return;
    told.add(note);
    notes.push(note);
  };

  const infoOf = async (id: string, revision: number, genome: unknown): Promise<LiveInfo | string> => {
    const cached = infos.get(id);
    if (cached !== undefined && cached.revision === revision) return cached;
    const decoded = decodeAll<StrategyEvent>(await deps.store.readStream(strategyStream(id)));
    if (either.isLeft(decoded)) return `strategy ${id}: its stream does not decode (${decoded.left.message}); not traded live`;
    let state: StrategyState = initialState();
    let live: LiveInfo['live'];
    let n = 0;
    for (const d of decoded.right) {
      const e = d.event;
      if (e.type === 'StrategyActivated') live = { start: Date.parse(d.metadata.occurredAt), n: ++n };
      if (e.type === 'StrategyDeactivated' || e.type === 'StrategyRetired') live = undefined;
      state = evolve(state, e);
    }
    let compiled: CompiledGenome;
    try {
      compiled = cached?.compiled ?? compileGenome(genome);
    } catch (err) {
      return `strategy ${id}: its genome does not compile (${err instanceof Error ? err.message : String(err)}); not traded live`;
    }
    const info = { revision, state, compiled, live };
    infos.set(id, info);
    return info;
  };

  /** Reads the account's stored candles closed by `now` after the last one it holds (all of them, warm-up included, the first time). */
  const readNew = async (slot: Pick<Slot, 'symbol' | 'interval' | 'firstOpen' | 'candles'>, now: number): Promise<CandleSeries> => {
    const barMs = INTERVAL_MS[slot.interval];
    const last = slot.candles.lastOpen;
    const from = last === last ? last + 1 : slot.firstOpen - WARMUP_BARS * barMs;
    const to = now - barMs + 1; // open times of the bars closed by now
    if (from < to)
      slot.candles.append(await deps.candles.readSeries({ exchange: deps.candleExchange, symbol: slot.symbol, interval: slot.interval }, { from, to }));
    return slot.candles.view();
  };

  const open = async (name: string, strategyId: string, info: LiveInfo, start: number, now: number): Promise<Slot | string> => {
    const g = info.compiled.genome;
    const symbol = g.symbols[0]!;
    const interval = g.timeframe;
    const barMs = INTERVAL_MS[interval];
    const firstOpen = Math.ceil(start / barMs) * barMs;
    const candles = new GrowingSeries({ exchange: deps.candleExchange, symbol, interval });
    const pre = await readNew({ symbol, interval, firstOpen, candles }, now);
    const lastClose = pre.length === 0 ? undefined : pre.close[pre.length - 1]!;
    let runner: StrategyRunner | undefined;
    // The gate first (its books), then the runner: the paper session's order (application/trading/paper-session.ts).
    let gate: LiveAccount['risk'] | undefined;
    let rules: MarketRules | undefined;
    let feed: RunnerFeed | undefined;
    const listener: OrderListener = {
      onFill: async (f: FillNotice) => {
        const events = await readOrder(deps.store, f.clientOrderId);
        gate?.onFill(booked(rules, lastFeeCurrency(events), f));
        // The runner hears it from the stream, by trade id: a fill the replay tells as well is told once.
        await feed?.catchUp(f.clientOrderId, events);
      },
      onOrderEnded: async (n: OrderEndNotice) => {
        gate?.onOrderEnded(n.clientOrderId);
        await feed?.ended(n);
      },
    };
    const started = await startLiveAccount(deps, {
      mode: deps.mode,
      account: name,
      openExchange: () => deps.openExchange(name),
      risk: { defaultLimits: deps.riskLimits, cashAsset: deps.cashAsset },
      scheduler: deps.scheduler,
      listener,
      lastPrice: (s) => Promise.resolve(s === symbol ? lastClose : undefined),
      actor,
      ...(deps.pollIntervalMs === undefined ? {} : { pollIntervalMs: deps.pollIntervalMs }),
      ...(deps.push === undefined ? {} : { push: deps.push }),
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    });
    if (either.isLeft(started)) return `${name}: not started on the exchange (${JSON.stringify(started.left)})`;
    const account = started.right;
    gate = account.risk;
    const markets = await account.exchange.markets()();
    rules = either.isRight(markets) ? markets.right.get(symbol) : undefined;
    if (rules === undefined) {
      await account.stop();
      return `${name}: ${account.exchange.id} has no market ${symbol} (or its markets are unreadable): not traded`;
    }
    // Replayed fills reach the runner only (the gate was seeded from the exchange's balances, which hold them).
    feed = new RunnerFeed(deps.store, rules, () => runner);
    const router = new ResumingRouter(deps, account, feed);
    const slot: Slot = {
      name,
      strategyId,
      symbol,
      interval,
      compiled: info.compiled,
      firstOpen,
      account,
      runner: undefined as unknown as StrategyRunner,
      candles,
      lastOpen: NaN,
      startedAt: Math.floor(now / barMs) * barMs,
      bits: 0,
    };
    runner = new StrategyRunner({
      account: name,
      strategyId,
      exchange: account.exchange.id,
      symbol,
      compiled: info.compiled,
      fill: fillConfigOf(deps.run),
      initialCapital: deps.run.initialCapital,
      router,
      signals: { next: () => slot.bits },
      orderIdPrefix: liveOrderIdPrefix(name),
      orderIds: 'position',
      // Protective levels on the venue's tick: the exchange rejects a stop price off it.
      priceTick: rules.priceTick,
    });
    (slot as { runner: StrategyRunner }).runner = runner;
    return slot;
  };

  /** Feeds the bars closed by `now` it has not seen; returns the days whose last bar it fed. */
  const advance = async (slot: Slot, now: number): Promise<{ day: string; close: number; at: number }[]> => {
    const s = await readNew(slot, now);
    const barMs = INTERVAL_MS[slot.interval];
    // The first bar not fed yet (lastOpen is NaN before the first: no comparison holds).
    let from = 0;
    while (from < s.length && (s.openTime[from]! < slot.firstOpen || s.openTime[from]! <= slot.lastOpen)) from++;
    if (from >= s.length) return [];
    const operands = await operandDataForSeries({ candles: deps.candles, ...deps.operands }, slot.compiled.needs, deps.candleExchange, s);
    const bound = bindStrategy(slot.compiled, s, new IndicatorCache(), operands);
    const entry = new Uint8Array(s.length);
    const exit = new Uint8Array(s.length);
    fillSignals(bound.entry, from, s.length, entry);
    fillSignals(bound.exit, from, s.length, exit);
    const days: { day: string; close: number; at: number }[] = [];
    for (let i = from; i < s.length; i++) {
      const c: Candle = { openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! };
      slot.bits = entry[i]! | (exit[i]! << 1);
      // Emulated orders (held by the executor) are checked against the bars that closed while this run was up.
      if (c.openTime + barMs > slot.startedAt) await slot.account.executor.onPrice(slot.symbol, { high: c.high, low: c.low }, c.openTime + barMs);
      await slot.runner.onClose(c);
      await slot.account.executor.settled();
      slot.lastOpen = c.openTime;
      if (c.openTime + barMs === dayStart(c.openTime) + DAY_MS) days.push({ day: utcDay(c.openTime), close: c.close, at: c.openTime + barMs });
    }
    return days;
  };

  /** The strategy's performance stream as recorded so far: the events after the cursor are read and folded in. */
  const performanceOf = async (strategyId: string): Promise<PerformanceCursor> => {
    let p = performance.get(strategyId);
    if (p === undefined) performance.set(strategyId, (p = { next: 0n, state: performanceDecider.initialState(), days: new Set(), last: new Map() }));
    const fresh = await deps.store.readStream(performanceStream(strategyId), { fromRevision: p.next });
    const decoded = decodeAll<PerformanceEvent>(fresh);
    if (either.isLeft(decoded)) throw new Error(`live desk: performance-${strategyId} does not decode: ${decoded.left.message}`);
    for (const d of decoded.right) {
      p.days.add(`${d.event.data.account}:${d.event.data.day}`);
      p.last.set(d.event.data.account, { equity: d.event.data.equity, tradesTotal: d.event.data.tradesTotal });
      p.state = performanceDecider.evolve(p.state, d.event);
    }
    p.next += BigInt(fresh.length);
    return p;
  };

  /**
   * One TradingDayClosed, decided on the cursor's state and appended at the revision it read, as handleCommand would
   * record it (the same event id from the idempotency key, the same metadata) without reading the stream again. Another
   * writer's append in between makes the revision wrong: then handleCommand decides on the whole stream.
   */
  const recordDay = async (slot: Slot, recorded: PerformanceCursor, data: TradingDayClosed['data']): Promise<number> => {
    const stream = performanceStream(slot.strategyId);
    const command = { type: 'CloseTradingDay' as const, data };
    const ctx = { actor, idempotencyKey: `trading-day:${slot.strategyId}:${slot.name}:${data.day}` };
    const failed = (error: unknown) => new Error(`live desk: ${slot.name} ${data.day} not recorded: ${JSON.stringify(error)}`);
    const decision = performanceDecider.decide(command, recorded.state);
    if (either.isLeft(decision)) return 0; // a later day of the account is recorded already
    const firstId = deps.ids.idFor(`${ctx.idempotencyKey}:${command.type}:0`);
    const at = deps.clock.now();
    const events = decision.right.map((e, i) => ({
      eventId: i === 0 ? firstId : deps.ids.idFor(`${ctx.idempotencyKey}:${command.type}:${i}`),
      type: e.type,
      data: e.data,
      metadata: eventMetadata(ctx, at, firstId),
    }));
    const written = await deps.store.appendToStream(stream, events, { expectedRevision: recorded.next === 0n ? 'no_stream' : recorded.next - 1n });
    if (either.isRight(written)) return written.right.appended ? events.length : 0;
    if (written.left.kind !== 'WrongExpectedRevision') throw failed(written.left);
    const handled = await handleCommand(deps, performanceDecider, stream, command, ctx);
    if (either.isLeft(handled) && (handled.left as { kind?: string }).kind !== 'DayAlreadyClosed') throw failed(handled.left);
    return either.isRight(handled) ? handled.right.events.length : 0;
  };

  const closeDays = async (slot: Slot, days: { day: string; close: number; at: number }[]): Promise<number> => {
    if (days.length === 0) return 0;
    let appended = 0;
    for (const d of days) {
      const recorded = await performanceOf(slot.strategyId);
      const key = `${slot.name}:${d.day}`;
      if (recorded.days.has(key)) continue;
      // The strategy's own books, built from the exchange's fills of its own orders: several live strategies share one
      // exchange account, whose balances would give each the others' results.
      const equity = slot.runner.markAt(d.close);
      const held = slot.runner.quantity;
      // The last live equity recorded for the account (the previous day's), or the initial capital.
      const previous = recorded.last.get(slot.name) ?? { equity: deps.run.initialCapital, tradesTotal: 0 };
      const d0 = Date.parse(d.day);
      let trades = 0;
      for (const t of slot.runner.trades) if (t.exitTime >= d0 && t.exitTime < d0 + DAY_MS) trades++;
      const data = {
        strategyId: slot.strategyId,
        mode: 'live',
        account: slot.name,
        day: d.day,
        initialCapital: deps.run.initialCapital,
        equity,
        dayReturn: equity / previous.equity - 1,
        trades,
        tradesTotal: Math.max(previous.tradesTotal, slot.runner.trades.length),
        position: held,
        at: d.at,
      } as TradingDayClosed['data'];
      appended += await recordDay(slot, recorded, data);
      // The cursor reads the day back at the next one (its own append, or another writer's).
    }
    return appended;
  };

  /** The strategy left Live: its open orders cancelled, its position closed at market, the connection closed. */
  const stopSlot = async (slot: Slot, notes: string[]): Promise<void> => {
    const ex = slot.account.executor;
    const open = ex.tracking();
    for (const id of [...open.live, ...open.held])
      await ex.cancelOrder(id as RoutedOrder['spec']['clientOrderId'], 'strategy', 'the strategy left Live: its live account is stopped');
    const position = slot.runner.position;
    await slot.runner.stop();
    await ex.settled();
    await slot.account.stop();
    slots.delete(slot.name);
    notes.push(
      `${slot.name}: stopped on ${slot.account.exchange.id} (the strategy left Live): ${open.live.length + open.held.length} open order(s) cancelled` +
        (position === 0 ? '' : ', its position closed at market'),
    );
  };

  /** A price to judge a flatten at: the last stored close of the strategy's series, else the group's last fill. */
  const priceOf = async (strategyId: string | undefined, symbol: string, now: number): Promise<number | undefined> => {
    if (strategyId === undefined) return undefined;
    const genome = (await deps.strategies.genomes([strategyId])).get(strategyId) as { timeframe?: unknown } | undefined;
    const interval = genome?.timeframe;
    if (typeof interval !== 'string' || !(interval in INTERVAL_MS)) return undefined;
    const barMs = INTERVAL_MS[interval as Interval];
    const s = await deps.candles.readSeries(
      { exchange: deps.candleExchange, symbol, interval: interval as Interval },
      { from: now - 48 * barMs, to: now - barMs + 1 },
    );
    return s.length === 0 ? undefined : s.close[s.length - 1]!;
  };

  /**
   * An account a crash left open after its strategy left Live (live-leftovers.ts): started on the exchange (the
   * reconciliation records what happened while the process was down), every order still open cancelled, the position
   * its orders hold sold at market under the runner's next exit id of its group (`<group>-d<n>`, purpose end_of_data),
   * the connection closed. False when the exchange could not be reached (tried again at the next tick).
   */
  const flattenLeftover = async (left: LiveAccountOrders, now: number, notes: string[]): Promise<boolean> => {
    const before = leftOpen(await foldAccountOrders(deps.store, left.orders));
    const symbol = before.groups[0]?.symbol;
    const stored = symbol === undefined ? undefined : await priceOf(left.strategyId, symbol, now);
    let gate: LiveAccount['risk'] | undefined;
    let rules: ReadonlyMap<string, MarketRules> | undefined;
    const started = await startLiveAccount(deps, {
      mode: deps.mode,
      account: left.account,
      openExchange: () => deps.openExchange(left.account),
      risk: { defaultLimits: deps.riskLimits, cashAsset: deps.cashAsset },
      scheduler: deps.scheduler,
      listener: {
        onFill: async (f) => {
          gate?.onFill(booked(rules?.get(f.symbol), lastFeeCurrency(await readOrder(deps.store, f.clientOrderId)), f));
        },
        onOrderEnded: (n) => gate?.onOrderEnded(n.clientOrderId),
      },
      lastPrice: (s) => Promise.resolve(s === symbol ? (stored ?? before.groups[0]?.lastPrice) : undefined),
      actor,
      ...(deps.push === undefined ? {} : { push: deps.push }),
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    });
    if (either.isLeft(started)) {
      tell(
        notes,
        `${left.account}: left open by a crash after its strategy left Live, not flattened yet: not started on the exchange (${JSON.stringify(started.left)})`,
      );
      return false;
    }
    const account = started.right;
    gate = account.risk;
    const ex = account.executor;
    const markets = await account.exchange.markets()();
    rules = either.isRight(markets) ? markets.right : undefined;
    const open = ex.tracking();
    for (const id of [...open.live, ...open.held])
      await ex.cancelOrder(id as RoutedOrder['spec']['clientOrderId'], 'strategy', 'the strategy left Live: its live account is flattened after a restart');
    await ex.settled();
    // Read again: the reconciliation may have recorded fills (an exit the crash interrupted may have closed it).
    const after = leftOpen(await foldAccountOrders(deps.store, left.orders), (s) => rules?.get(s));
    const outcomes: string[] = [];
    for (const g of after.groups) {
      if (!(g.quantity > 0)) {
        outcomes.push(`${g.group}: ${account.exchange.id} has no market ${g.symbol} (or its markets are unreadable): not closed, close it by hand`);
        continue;
      }
      // The runner's next exit id of the group; a number taken by an order refused before placement is skipped.
      let n = g.exits + 1;
      while ((await deps.store.readStream(orderStream(`${g.group}-d${n}`), { maxCount: 1 })).length > 0) n++;
      const id = `${g.group}-d${n}` as RoutedOrder['spec']['clientOrderId'];
      await ex.submit({
        account: left.account,
        ...(left.strategyId === undefined ? {} : { strategyId: left.strategyId }),
        exchange: account.exchange.id,
        spec: {
          clientOrderId: id,
          symbol: g.symbol,
          side: g.side,
          type: 'market',
          quantity: g.quantity,
          reduceOnly: true,
          purpose: 'end_of_data',
          ocoGroup: g.group,
        } as RoutedOrder['spec'],
        referencePrice: stored ?? g.lastPrice,
        time: now,
      });
      await ex.settled();
      const [sold] = await foldOrders(deps.store, [id]);
      outcomes.push(
        sold?.state.status === 'Filled'
          ? `its position (${g.quantity} ${g.symbol}) closed at market`
          : `its position (${g.quantity} ${g.symbol}) not closed (${id} ${sold?.state.status ?? 'not placed'}): close it by hand`,
      );
    }
    await account.stop();
    notes.push(
      `${left.account}: flattened on ${account.exchange.id} after a restart (its strategy left Live before the account was stopped): ` +
        [`${open.live.length + open.held.length} open order(s) cancelled`, ...outcomes].join(', '),
    );
    return true;
  };

  /** Whether the account is its strategy's current live account by the strategy's stream. */
  const liveOnItsStream = async (left: LiveAccountOrders): Promise<boolean> => {
    if (left.strategyId === undefined) return false;
    const decoded = decodeAll<StrategyEvent>(await deps.store.readStream(strategyStream(left.strategyId)));
    if (either.isLeft(decoded)) return false;
    let n = 0;
    let live = false;
    for (const { event: e } of decoded.right) {
      if (e.type === 'StrategyActivated') {
        live = true;
        n++;
      }
      if (e.type === 'StrategyDeactivated' || e.type === 'StrategyRetired') live = false;
    }
    return live && deskAccountName('live', left.strategyId, n) === left.account;
  };

  return {
    name: 'live',
    async tick(now: Date): Promise<StepOutcome> {
      const t = now.getTime();
      const notes: string[] = [];
      let appended = 0;
      const rows = await deps.strategies.inPaperOrLive();
      const need = rows.filter((r) => !infos.has(r.id)).map((r) => r.id);
      const genomes = need.length === 0 ? new Map<string, unknown>() : await deps.strategies.genomes(need);
      const wanted = new Map<string, { id: string; info: LiveInfo; start: number }>();
      for (const row of rows) {
        const info = await infoOf(row.id, row.revision, genomes.get(row.id));
        if (typeof info === 'string') {
          tell(notes, info);
          continue;
        }
        if (info.state.status !== 'Live' || info.live === undefined) continue;
        wanted.set(deskAccountName('live', row.id, info.live.n), { id: row.id, info, start: info.live.start });
      }
      for (const slot of [...slots.values()]) if (!wanted.has(slot.name)) await stopSlot(slot, notes);
      // Accounts not Live now that still hold an order not ended or a position: left open by a crash, flattened.
      scanned = await scanLiveOrders(deps.store, scanned.accounts, scanned.position);
      for (const name of scanned.touched) toCheck.add(name);
      for (const name of [...toCheck]) {
        const left = scanned.accounts.get(name)!;
        // Its strategy's own stream has the last word (the read model may lag behind it): Live on this account, it is traded.
        if (wanted.has(name) || (await liveOnItsStream(left))) toCheck.delete(name);
        else {
          const open = leftOpen(await foldAccountOrders(deps.store, left.orders));
          if ((open.openOrders.length === 0 && open.groups.length === 0) || (await flattenLeftover(left, t, notes))) toCheck.delete(name);
        }
      }
      if (wanted.size > 1)
        tell(
          notes,
          `live desk: ${wanted.size} live accounts share one ${deps.mode} exchange account: each one's TradingDayClosed equity is its own books (its fills), not the account's balances`,
        );
      for (const [name, w] of wanted) {
        let slot = slots.get(name);
        if (slot === undefined) {
          const opened = await open(name, w.id, w.info, w.start, t);
          if (typeof opened === 'string') {
            notes.push(opened);
            continue;
          }
          slot = opened;
          slots.set(name, slot);
          notes.push(`${name}: trading on ${slot.account.exchange.id} (${deps.mode}) from ${iso(slot.firstOpen)}`);
        }
        const before = slot.runner.refusals.length;
        let days;
        try {
          days = await advance(slot, t);
        } catch (e) {
          // A source its operands read is missing: this account sends nothing this tick and says why; the others go on.
          if (!(e instanceof OperandDataError)) throw e;
          // Without the window (it moves every tick), so the note is told once while it lasts.
          tell(notes, `${name}: cannot trade: ${e.message.replace(/ \[[^\]]*\)$/, '')}`);
          continue;
        }
        for (const r of slot.runner.refusals.slice(before))
          notes.push(
            `${name}: order ${r.clientOrderId} ${r.kind}${r.kind === 'refused' ? ` (${r.refusal.message})` : r.kind === 'rejected' ? ` (${r.code}: ${r.message})` : ''}`,
          );
        appended += await closeDays(slot, days);
      }
      return { appended, notes };
    },
    async close() {
      for (const slot of slots.values()) await slot.account.stop();
      slots.clear();
    },
    accounts: () => [...slots.values()].map((s) => ({ name: s.name, ordersSent: s.runner.ordersSent, position: s.runner.position })),
  };
};
