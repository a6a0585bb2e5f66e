// The production paper session: strategy runners → the executor (risk gate → order-<id> streams through the one
// command handler → Exchange) → the paper exchange, one account per strategy, each with its own AccountRiskGate opened
// from its `risk-<account>` stream. doc/execution.md ("Paper sessions") describes it.
//
// Fills flow from the paper exchange to the account's executor (recordFill: it records each fill once, then tells its
// listener), and the listener is this session's: the gate first (onFill), then the runner. Orders the venue ends on
// its own (an OCO sibling cancelled, a fill refused for funds) are told to the executor as a cancellation by the
// venue, so the order stream ends and the gate releases the order's exposure. Every close goes to each gate on the
// symbol (onPrice) before the runners hear of it.
//
// Kill switch: when a gate returns `close_all_positions` (drawdown or daily loss, on a fill or a price) — or an
// operator's command does, or a gate is found halted at a close — the session halts the account's runner (no entry,
// no reversal) and closes its position with a reduce-only market order (purpose `kill_switch`), which fills at the next
// open. The gate records the switch on `risk-<account>`; the closing order is on its own order stream. A runner whose
// gate is no longer halted (a daily loss switch on a new UTC day, an operator's release) resumes at the next close.
//
// Driving it: `onCandle` per closed candle, in time order per symbol; `stop()` at the end (runners close their
// positions at the last close: the backtest's end_of_data). Each step returns a Promise only when something
// asynchronous happened (an order placed, a fill recorded), so a bar that trades nothing costs no Promise; the
// bar's phases are awaited in order (open → fills at the open and the reactions to them → the resting orders matched
// against the bar → close), which keeps the backtest's same-bar rules: a reversal's entry fills at the exit's open,
// a fresh entry's protective exits are matched in the entry bar. paper-replay.ts feeds candles from a store or memory.
//
// memoryPaperSession is the same wiring with the DirectRouter (gate → venue, no executor): for benchmarks, what-if
// replays where the order record is not wanted, and the pipeline's desk, which records the orders after the fact
// through a tap on the router (paper-order-log.ts: the same order events, the same decider, appended in batches).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { CompiledGenome } from '../../domain/backtest/compile.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import { fillConfigOf, quantityStep, type RunSettings } from '../../domain/execution/run-settings.js';
import type { RiskCommand } from '../../domain/risk/commands.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import { INTERVAL_MS, type Candle, type Interval } from '../../domain/market/candles.js';
import type { ExchangeId } from '../../domain/market/exchange.js';
import type { ExchangeFill, ExchangeOrder } from '../ports/exchange.js';
import type { CommandDeps } from '../commands/handle-command.js';
import type { EventDecodeFailed } from '../events/decode-event.js';
import type { PaperVenue, PaperVenueFactory } from '../ports/paper-venue.js';
import { DirectRouter, type DirectTap } from './direct-router.js';
import { Executor, type Outcome } from './executor.js';
import type { FillNotice, OrderEndNotice, OrderListener, OrderRouter } from './order-router.js';
import { AccountRiskGate } from './risk-gate.js';
import { openRiskGate } from './risk-recorder.js';
import { StrategyRunner } from './runner.js';
import type { SignalSource } from './runner-signals.js';

/** One strategy of a session, trading one symbol on an account of its own. */
export interface PaperStrategy {
  /** The account: its risk stream is `risk-<account>`, its balance on the paper exchange its own. */
  readonly account: string;
  readonly strategyId?: string;
  readonly symbol: string;
  readonly interval: Interval;
  readonly compiled: CompiledGenome;
  readonly signals: SignalSource;
  /**
   * Prefix of its client order ids (order-<prefix>-<n>): unique across sessions, since an order stream is forever
   * (a restarted session takes a new prefix). Letters, digits, `_`, `-`; at most 24 characters.
   */
  readonly orderIdPrefix: string;
  /** How the runner makes its client order ids (runner.ts): 'counter' (default) or 'position' (the same on a re-run). */
  readonly orderIds?: 'counter' | 'position';
}

export interface PaperSessionSettings {
  /** Fees, slippage, sizing → the paper exchange's fill model; the initial capital → each account's balance. */
  readonly run: RunSettings;
  /** The limits of an account whose risk stream sets none (configuration: RISK_* variables). */
  readonly riskLimits: RiskLimits;
  readonly strategies: readonly PaperStrategy[];
  /** The venue's id in the order and risk streams. Default `paper`. */
  readonly exchange?: ExchangeId;
  /**
   * The markets' rules. Default: the backtest's (any price, quantities on the sizing step, 'fractional' precision),
   * which is what makes a paper session equal its backtest.
   */
  readonly markets?: readonly MarketRules[];
  readonly precision?: 'exchange' | 'fractional';
}

export interface PaperSessionDeps extends CommandDeps {
  /** Makes the venue (the composition root passes `(o) => new PaperExchange(o)`). */
  readonly venue: PaperVenueFactory;
  /** A recording that failed (a risk event, an order step): the session goes on, the failure is kept in `failures`. */
  readonly onFailure?: (failure: SessionFailure) => void;
}

/** Something the session could not record: never expected; a session that has any is not a faithful record. */
export interface SessionFailure {
  readonly account: string;
  readonly what: string;
  readonly error: unknown;
}

type Pending = void | Promise<unknown>;

interface Slot {
  readonly strategy: PaperStrategy;
  readonly gate: AccountRiskGate;
  readonly runner: StrategyRunner;
  /** Executor mode: the account's executor. */
  readonly executor: Executor | undefined;
  /** Memory mode: the account's direct router. */
  readonly direct: DirectRouter | undefined;
}

interface Strand {
  readonly symbol: string;
  readonly barMs: number;
  readonly slots: Slot[];
}

/** The venue's markets when the settings name none: the backtest's rules for every symbol of the session. */
export const backtestMarkets = (symbols: readonly string[], run: RunSettings): MarketRules[] =>
  symbols.map(
    (symbol) =>
      ({
        symbol,
        base: symbol.replace(/(USDT|USDC|BUSD|USD|EUR|BTC)$/, '') || symbol,
        quote: 'USDT',
        // Tiny enough that every backtest price is "on the tick" and every fractional quantity "on the lot"
        // (validate-order.ts judges multiples to a relative 1e-9); whole or lot sizing keeps its step.
        amountStep: quantityStep(run.sizing) || 1e-15,
        priceTick: 1e-15,
      }) as MarketRules,
  );

export class PaperSession {
  readonly venue: PaperVenue;
  readonly failures: SessionFailure[] = [];
  private readonly slots = new Map<string, Slot>();
  private readonly strands = new Map<string, Strand>();
  private readonly pending: Promise<unknown>[] = [];
  private stopped = false;

  /** Use startPaperSession or memoryPaperSession. */
  constructor(
    settings: PaperSessionSettings,
    gates: ReadonlyMap<string, AccountRiskGate>,
    makeVenue: PaperVenueFactory,
    private readonly deps: PaperSessionDeps | undefined,
    tap?: DirectTap,
  ) {
    const symbols = [...new Set(settings.strategies.map((s) => s.symbol))];
    const fill = fillConfigOf(settings.run);
    this.venue = makeVenue({
      id: settings.exchange ?? ('paper' as ExchangeId),
      markets: settings.markets ?? backtestMarkets(symbols, settings.run),
      fill,
      initialCapital: settings.run.initialCapital,
      precision: settings.precision ?? 'fractional',
    });
    const tick =
      settings.markets === undefined
        ? undefined
        : (symbol: string) => {
            const rules = settings.markets!.find((m) => m.symbol === symbol);
            if (rules === undefined) throw new Error(`paper session: no market rules for ${symbol}`);
            return rules.priceTick;
          };
    for (const s of settings.strategies) {
      if (this.slots.has(s.account)) throw new Error(`paper session: account ${s.account} is named twice (one strategy per account)`);
      const gate = gates.get(s.account)!;
      let router: OrderRouter;
      let executor: Executor | undefined;
      let direct: DirectRouter | undefined;
      const listener = this.listenerFor(s.account);
      if (deps !== undefined) {
        executor = new Executor({ ...deps, exchange: this.venue.exchange(s.account), risk: gate, listener, account: s.account });
        router = this.reporting(s.account, executor);
      } else {
        router = direct = new DirectRouter(gate, this.venue, tap);
        direct.listen(s.account, listener);
      }
      const runner = new StrategyRunner({
        account: s.account,
        ...(s.strategyId === undefined ? {} : { strategyId: s.strategyId }),
        exchange: this.venue.id,
        symbol: s.symbol,
        compiled: s.compiled,
        fill,
        initialCapital: settings.run.initialCapital,
        router,
        signals: s.signals,
        orderIdPrefix: s.orderIdPrefix,
        ...(s.orderIds === undefined ? {} : { orderIds: s.orderIds }),
        // With the exchange's precision, protective levels go on its tick (else the venue would refuse them).
        ...(settings.precision === 'exchange' && tick !== undefined ? { priceTick: tick(s.symbol) } : {}),
      });
      const slot: Slot = { strategy: s, gate, runner, executor, direct };
      this.slots.set(s.account, slot);
      let strand = this.strands.get(s.symbol);
      if (strand === undefined) this.strands.set(s.symbol, (strand = { symbol: s.symbol, barMs: INTERVAL_MS[s.interval], slots: [] }));
      if (strand.barMs !== INTERVAL_MS[s.interval]) throw new Error(`paper session: the strategies on ${s.symbol} must trade one interval`);
      strand.slots.push(slot);
    }
    this.venue.subscribe({
      onFill: (account, order, fill) => this.venueFill(account, order, fill),
      onOrderEnded: (account, order, reason) => this.venueEnded(account, order, reason),
    });
  }

  // ---- what a driver calls ----------------------------------------------------------------------------------------

  /** A closed candle of `symbol`: the venue opens, matches and closes the bar; the gates and then the runners hear of it. */
  onCandle(symbol: string, candle: Candle): Pending {
    if (this.stopped) throw new Error('paper session: a candle after stop()');
    const strand = this.strands.get(symbol);
    if (strand === undefined) throw new Error(`paper session: no strategy trades ${symbol}`);
    const closeTime = candle.openTime + strand.barMs;
    this.venue.openBar(symbol, candle.openTime, closeTime, candle.open, candle.high, candle.low, candle.close);
    // Fills at the open and what they set off (a reversal's entry, protective exits) before the bar is matched.
    if (this.pending.length > 0) return this.drain().then(() => this.match(strand, candle, closeTime));
    return this.match(strand, candle, closeTime);
  }

  private match(strand: Strand, candle: Candle, closeTime: number): Pending {
    this.venue.matchBar(strand.symbol);
    if (this.pending.length > 0) return this.drain().then(() => this.close(strand, candle, closeTime));
    return this.close(strand, candle, closeTime);
  }

  private close(strand: Strand, candle: Candle, closeTime: number): Pending {
    this.venue.closeBar(strand.symbol);
    const slots = strand.slots;
    for (let i = 0; i < slots.length; i++) {
      const { gate, runner } = slots[i]!;
      const action = gate.onPrice(strand.symbol, candle.close, closeTime);
      if (action !== undefined) this.act(slots[i]!);
      else if (runner.isHalted !== (gate.haltAt(closeTime) !== undefined)) {
        // The gate's halt changed outside a price: opened halted from its stream, engaged or released by an operator,
        // a daily switch over at a new UTC day.
        if (runner.isHalted) runner.resume();
        else this.act(slots[i]!);
      }
      this.track(runner.onClose(candle));
    }
    if (this.pending.length > 0) return this.drain();
  }

  /**
   * The end: every runner cancels what it sent at the last close and closes its position at market, which the venue
   * fills at each symbol's last close (the backtest's end_of_data). Waits for every recording.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const slot of this.slots.values()) this.track(slot.runner.stop());
    await this.drain();
    for (const symbol of this.strands.keys()) this.venue.settleAtClose(symbol);
    await this.drain();
    for (const slot of this.slots.values()) await slot.gate.flush();
  }

  /** An operator's risk command for an account (limits, the manual switch, a release), applied when it is recorded. */
  async command(account: string, command: RiskCommand): Promise<Either<unknown, void>> {
    const slot = this.slot(account);
    const result = await slot.gate.command(command);
    if (either.isLeft(result)) return result;
    if (result.right !== undefined) this.act(slot);
    await this.drain();
    return either.right(undefined);
  }

  // ---- what a caller reads ----------------------------------------------------------------------------------------

  runner(account: string): StrategyRunner {
    return this.slot(account).runner;
  }

  gate(account: string): AccountRiskGate {
    return this.slot(account).gate;
  }

  get accounts(): readonly string[] {
    return [...this.slots.keys()];
  }

  // ---- wiring -----------------------------------------------------------------------------------------------------

  /** The listener of one account's orders: the gate first (its books, its kill switches), then the runner. */
  private listenerFor(account: string): OrderListener {
    return {
      onFill: (fill: FillNotice) => {
        const slot = this.slot(account);
        const action = slot.gate.onFill(fill);
        // Halted before the runner hears of the fill: no reversal's entry, no protective exits for a fresh entry.
        if (action !== undefined) slot.runner.halt();
        const heard = slot.runner.onFill(fill);
        if (action === undefined) return heard;
        if (heard === undefined) return this.flatten(slot);
        return heard.then(() => this.flatten(slot));
      },
      onOrderEnded: (notice: OrderEndNotice) => {
        const slot = this.slot(account);
        slot.gate.onOrderEnded(notice.clientOrderId);
        return slot.runner.onOrderEnded(notice);
      },
    };
  }

  /** A kill switch (or a halt found at a close): no more entries, the position closed at market. */
  private act(slot: Slot): void {
    slot.runner.halt();
    this.track(slot.runner.flatten());
  }

  private flatten(slot: Slot): Promise<void> | undefined {
    const p = slot.runner.flatten();
    return p === undefined ? undefined : p.then(() => undefined);
  }

  /** The runner's router in executor mode: the executor, with the outcomes it could not record kept as failures. */
  private reporting(account: string, executor: Executor): OrderRouter {
    return {
      submit: (order) => executor.place(order).then((o) => this.check(account, `placing ${order.spec.clientOrderId}`, o)),
      cancel: (_a, _s, id) => executor.cancelOrder(id, 'strategy', 'cancelled by the strategy').then((o) => this.check(account, `cancelling ${id}`, o)),
    };
  }

  private venueFill(account: string, order: ExchangeOrder, fill: ExchangeFill): void {
    const slot = this.slot(account);
    if (slot.direct !== undefined) return slot.direct.onVenueFill(account, order, fill);
    // Recorded once by the executor (a fill it already took from the placement's answer is a no-op), then told.
    const id = order.clientOrderId;
    this.pending.push(slot.executor!.recordFill(id, fill, order.status === 'filled').then((o) => this.check(account, `recording a fill of ${id}`, o)));
  }

  private venueEnded(account: string, order: ExchangeOrder, reason: string): void {
    const slot = this.slot(account);
    if (slot.direct !== undefined) return slot.direct.onVenueOrderEnded(account, order, reason);
    // The venue ended it (an OCO sibling, a fill refused for funds, a reduce-only with nothing to reduce): the executor
    // asks the venue and records what it says; an order it already ended is left as it is.
    const id = order.clientOrderId;
    const by = reason.startsWith('OCO') ? 'oco' : 'exchange';
    this.pending.push(slot.executor!.cancelOrder(id, by, reason).then((o) => this.check(account, `ending ${id}`, o)));
  }

  private check(account: string, what: string, outcome: Outcome | Either<unknown, unknown>): void {
    if (either.isLeft(outcome)) this.reportFailure({ account, what, error: outcome.left });
  }

  /** Kept in `failures` and told to deps.onFailure. */
  reportFailure(failure: SessionFailure): void {
    this.failures.push(failure);
    this.deps?.onFailure?.(failure);
  }

  private track(p: Pending): void {
    if (p !== undefined) this.pending.push(p);
  }

  /** Waits until nothing is in flight: every promise so far, and those they set off. */
  private async drain(): Promise<void> {
    for (;;) {
      while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
      for (const slot of this.slots.values()) if (slot.executor !== undefined) await slot.executor.settled();
      if (this.pending.length === 0) return;
    }
  }

  private slot(account: string): Slot {
    const slot = this.slots.get(account);
    if (slot === undefined) throw new Error(`paper session: no account ${account}`);
    return slot;
  }
}

/**
 * The production session: each account's gate opened from its risk stream (limits from it, else the settings'
 * defaults; kill switches as recorded), orders through an executor into the event store.
 */
export const startPaperSession = async (deps: PaperSessionDeps, settings: PaperSessionSettings): Promise<Either<EventDecodeFailed, PaperSession>> => {
  const gates = new Map<string, AccountRiskGate>();
  let session: PaperSession | undefined;
  for (const s of settings.strategies) {
    const opened = await openRiskGate(deps, {
      account: s.account,
      exchange: settings.exchange ?? 'paper',
      cash: settings.run.initialCapital,
      defaultLimits: settings.riskLimits,
      // (a recording fails after the session exists: the gate records asynchronously, once orders and prices flow)
      onRecordFailed: (error, command) => session?.reportFailure({ account: s.account, what: `recording ${command.type}`, error }),
    });
    if (either.isLeft(opened)) return opened;
    gates.set(s.account, opened.right);
  }
  session = new PaperSession(settings, gates, deps.venue, deps);
  return either.right(session);
};

/**
 * The same wiring without the executor (DirectRouter: gate → paper exchange): the gates record through `record`
 * (an in-memory list in benchmarks), and the orders are stored only if a `tap` does it (the pipeline's desk:
 * paper-order-log.ts, which puts them on their order streams in batches).
 */
export const memoryPaperSession = (
  settings: PaperSessionSettings,
  venue: PaperVenueFactory,
  record: (command: RiskCommand) => Promise<Either<unknown, unknown>>,
  tap?: DirectTap,
): PaperSession => {
  const gates = new Map<string, AccountRiskGate>();
  let session: PaperSession | undefined;
  for (const s of settings.strategies)
    gates.set(
      s.account,
      new AccountRiskGate({
        account: s.account,
        exchange: settings.exchange ?? 'paper',
        cash: settings.run.initialCapital,
        defaultLimits: settings.riskLimits,
        record,
        onRecordFailed: (error, command) => session?.reportFailure({ account: s.account, what: `recording ${command.type}`, error }),
      }),
    );
  session = new PaperSession(settings, gates, venue, undefined, tap);
  return session;
};
