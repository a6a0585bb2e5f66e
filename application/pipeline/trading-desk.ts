// The trading desk step of the pipeline (doc/paper-trading.md): every strategy in Paper or Live trades its accounts
// on the paper exchange through the one trading core (memoryPaperSession: strategy runner → risk gate → paper
// exchange, the backtest's fill model), one bar at a time as the bars close by `now`:
// - `paper-<strategyId>` from its first bar opening at or after PaperTradingStarted, for as long as it is Paper or Live;
// - while Live, `live-<strategyId>` from the StrategyActivated (the n-th activation's account is `live-<id>-<n>`),
//   on the paper exchange too — unless `liveAccounts: 'elsewhere'`: with TRADING_MODE=testnet or live the live desk
//   (live-desk.ts) trades them on the exchange and this desk keeps the paper accounts only.
// Every order of an account is on the record as the executor would have recorded it (doc/paper-trading.md, "Paper
// orders on the record"): the session's router tells a PaperOrderLog each step, which decides the order events with
// the one order decider and appends them to `order-<clientOrderId>` after the account's bars of the tick, before its
// days. Client order ids derive from the account (deskOrderIdPrefix) and the position they belong to (runner option
// orderIds 'position'), event ids from the stream and the place in it: a re-run makes the same events, and what the
// log holds already is not appended again. They are not counted in the tick's `appended` (which asks the pipeline to
// wait for the read models): the day's TradingDayClosed does that, after them. An account that ends (its strategy
// retired, a live period deactivated) is fed to its end and stopped once: its position closed at the last close fed
// (the backtest's end of data), on the record through the same log, then its final day (the partial day up to that
// close, TradingDayClosed `final`). A fresh desk recomputes such a close unless the read model shows its final day
// (closeEnded, and the first-tick sweep).
// Each finished UTC day of an account becomes one TradingDayClosed on `performance-<strategyId>`, its event id derived
// from (strategy, account, day), so a re-run appends only the missing days. After `paper.evaluationDays` full days a
// Paper strategy is judged against its backtest (domain/performance/paper-evaluation.ts); a rejected one is retired
// unless pinned.
//
// An account's record is a pure function of the genome, the candles from its start (with WARMUP_BARS before it to warm
// the indicators up) and the run settings; what the desk keeps in memory (each symbol's candles, each account's
// session) is a cache for speed: a fresh desk after a restart recomputes every account from its start and appends only
// what the log lacks. Signals for new bars are computed on the account's series up to the last closed bar (the
// look-ahead check guarantees a prefix gives the values of the whole), so the desk's bars and signals are those of a
// backtest of the same stretch.
import { either } from 'fp-ts';
import { WARMUP_BARS } from '../backtest/run-in-process.js';
import { handleCommand, type CommandDeps } from '../commands/handle-command.js';
import { decodeAll } from '../events/decode-event.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { PaperVenueFactory } from '../ports/paper-venue.js';
import { handleStrategyCommand, loadStrategy } from '../strategy/handle-strategy-command.js';
import { backtestMarkets, memoryPaperSession, type PaperSession } from '../trading/paper-session.js';
import { PaperOrderLog } from '../trading/paper-order-log.js';
import { fnv1a64 } from '../../domain/learning/fingerprint.js';
import type { PipelineStep, StepOutcome } from './step.js';
import { operandDataForSeries, type OperandSources } from '../backtest/operand-data-loader.js';
import { OperandDataError } from '../../domain/backtest/operand-data.js';
import { bindStrategy, compileGenome, fillSignals, type CompiledGenome } from '../../domain/backtest/compile.js';
import type { RunSettings } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { INTERVAL_MS, seriesRange, type Candle, type Interval, type SeriesKey } from '../../domain/market/candles.js';
import { GrowingSeries } from '../../domain/market/growing-series.js';
import type { ExchangeId } from '../../domain/market/exchange.js';
import { performanceDecider } from '../../domain/performance/decide.js';
import { performanceStream, type PerformanceEvent, type TradingDayClosed, type TradingMode } from '../../domain/performance/events.js';
import { evaluatePaper, rejectionSummary } from '../../domain/performance/paper-evaluation.js';
import { DAY_MS, dayStart, recordStats, utcDay, type TradingDay } from '../../domain/performance/record.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import { loadSettings } from '../settings/settings-recorder.js';
import { STRATEGY_CATEGORY, strategyStream, type BacktestResult, type StrategyEvent } from '../../domain/strategy/events.js';
import { evolve, initialState, type StrategyState } from '../../domain/strategy/state.js';

/** A strategy in Paper or Live as the `strategies` read model has it. */
export interface TradingStrategyRow {
  readonly id: string;
  /** Revision of its stream as the read model last folded it: the desk re-reads the stream when it moves. */
  readonly revision: number;
}

/** The read-model port of the desk (projections/trading-days/queries.ts tradingStrategiesReader implements it). */
export interface TradingStrategies {
  /** Every strategy in Paper or Live. */
  inPaperOrLive(): Promise<readonly TradingStrategyRow[]>;
  /** Their stored genomes (not decoded); unknown ids are absent. */
  genomes(ids: readonly string[]): Promise<ReadonlyMap<string, unknown>>;
  /**
   * Of these accounts, those whose final day (TradingDayClosed `final`) the `trading_days` read model holds: their close
   * is on the log, orders and days. A lagging read model only makes the desk recompute a close the log takes nothing of.
   */
  closedAccounts(accounts: readonly string[]): Promise<ReadonlySet<string>>;
}

export interface TradingDeskDeps extends CommandDeps {
  readonly strategies: TradingStrategies;
  readonly candles: Pick<CandleStore, 'readSeries'>;
  /** Makes a paper exchange (the composition root passes `(o) => new PaperExchange(o)`). */
  readonly venue: PaperVenueFactory;
  /** The exchange whose stored candles the strategies trade on (the candle store's key). */
  readonly exchange: ExchangeId;
  /** Fees, slippage, sizing, initial capital (platform.config.runSettings). */
  readonly run: RunSettings;
  /** The limits of every desk account (configuration: RISK_*). */
  readonly riskLimits: RiskLimits;
  /** Default `system:pipeline`. */
  readonly actor?: Actor;
  /** 'paper' (default): live accounts trade here on the paper exchange; 'elsewhere': the live desk trades them. */
  readonly liveAccounts?: 'paper' | 'elsewhere';
  /** Daily series and recorded predictions for genomes with such operands (other symbols' candles come from `candles`). */
  readonly operands?: OperandSources;
}

/** When an account started and ended. */
interface AccountPeriod {
  readonly mode: TradingMode;
  readonly start: number;
  readonly end: number;
}

/** What a tick reports (StepOutcome), filled as it goes. */
interface TickOut {
  readonly notes: string[];
  appended: number;
}

/** Everything the desk read of one strategy's stream (kept while the strategy's revision does not change). */
interface StrategyInfo {
  readonly id: string;
  readonly revision: number;
  readonly state: StrategyState;
  readonly compiled: CompiledGenome;
  readonly paperStart: number | undefined;
  /** The current live period: its start and its number (1 for the first activation). */
  readonly live: { readonly start: number; readonly n: number } | undefined;
  /** Its accounts that ended (it left Paper/Live; a live period deactivated), by name: when each started and ended. */
  readonly ends: ReadonlyMap<string, AccountPeriod>;
  readonly backtest: BacktestResult | undefined;
}

/** One symbol's closed candles, loaded incrementally. */
interface SymbolCandles {
  readonly key: SeriesKey;
  readonly bars: GrowingSeries;
  /** Open time of the first candle asked for. */
  readonly from: number;
}

/** `paper-<id>`, `live-<id>` (`live-<id>-<n>` from the second activation on). */
export const deskAccountName = (mode: TradingMode, strategyId: string, n = 1): string =>
  mode === 'paper' ? `paper-${strategyId}` : n === 1 ? `live-${strategyId}` : `live-${strategyId}-${n}`;

/**
 * The client order id prefix of a desk account, from its name: short, and apart from the live desk's (`L…`), which
 * may trade an account of the same name on a real venue.
 */
export const deskOrderIdPrefix = (account: string): string => `D${fnv1a64(account).slice(0, 12)}`;

/** An account of the desk: one strategy on one symbol, its session advanced bar by bar. */
class DeskAccount {
  readonly barMs: number;
  /** Open time of the first bar it trades. */
  readonly firstOpen: number;
  /** Open time of the first candle of its series (warm-up included). */
  readonly seriesFrom: number;
  private readonly session: PaperSession;
  /** Its orders, recorded as they go (appended by the desk after each advance). */
  readonly orders: PaperOrderLog;
  /** Index in the symbol's candles of its series' first candle, and of the next candle to feed; -1 until known. */
  private base = -1;
  private next = -1;
  private entry = new Uint8Array(0);
  private exit = new Uint8Array(0);
  private cursor = 0;
  private readonly candle: { -readonly [K in keyof Candle]: Candle[K] } = { openTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  /** Open time of the last bar fed (NaN before the first). */
  private lastOpen = NaN;
  /** Orders the risk gate refused or the venue rejected, told once in a tick's notes. */
  private refusalsTold = 0;
  /** The days closed so far, in order. */
  readonly days: TradingDay[] = [];
  readonly closedAt: number[] = [];
  /** Whether its last day is its final one (closeFinalDay, after stop()). */
  private final = false;

  constructor(
    readonly name: string,
    readonly mode: TradingMode,
    readonly strategyId: string,
    readonly start: number,
    readonly compiled: CompiledGenome,
    readonly symbol: string,
    readonly interval: Interval,
    private readonly deps: TradingDeskDeps,
  ) {
    this.barMs = INTERVAL_MS[interval];
    this.firstOpen = Math.ceil(start / this.barMs) * this.barMs;
    this.seriesFrom = this.firstOpen - WARMUP_BARS * this.barMs;
    // (the session's venue trades the backtest's markets: memoryPaperSession's default)
    this.orders = new PaperOrderLog({ ids: deps.ids, actor: deps.actor ?? ('system:pipeline' as Actor), markets: backtestMarkets([symbol], deps.run) });
    this.session = memoryPaperSession(
      {
        run: deps.run,
        riskLimits: deps.riskLimits,
        strategies: [
          {
            account: name,
            strategyId,
            symbol,
            interval,
            compiled,
            // The signals of the bar being fed, computed in advance() for the new bars.
            signals: { next: () => this.entry[this.cursor]! | (this.exit[this.cursor]! << 1) },
            // The same ids for the same decisions on a re-run: the order streams are appended once.
            orderIdPrefix: deskOrderIdPrefix(name),
            orderIds: 'position',
          },
        ],
      },
      deps.venue,
      // In memory: the risk record of a paper account is not kept (it is recomputed from the candles).
      () => Promise.resolve(either.right(undefined)),
      this.orders,
    );
  }

  /** Feeds the candles closed so far that it has not seen; closes every day whose last bar it has fed. */
  async advance(candles: SymbolCandles, visible: number): Promise<void> {
    const s = candles.bars.series;
    if (this.base < 0) {
      // Placed once a bar it trades is stored (the warm-up before it is history, stored already).
      if (visible === 0 || s.openTime[visible - 1]! < this.firstOpen) return;
      // Its series starts at the first stored candle at or after seriesFrom (the symbol's cache may start earlier).
      let b = 0;
      while (b < visible && s.openTime[b]! < this.seriesFrom) b++;
      this.base = b;
      this.next = b;
      while (this.next < visible && s.openTime[this.next]! < this.firstOpen) this.next++;
    }
    const to = visible;
    if (this.next >= to) return;
    // Signals of the new bars over the account's series up to the last closed bar.
    const view = seriesRange(s, this.base, to);
    // External operands (daily series, other symbols, predictions) up to the last closed bar, loaded as bars advance.
    const operands = await operandDataForSeries({ candles: this.deps.candles, ...this.deps.operands }, this.compiled.needs, this.deps.exchange, view);
    const bound = bindStrategy(this.compiled, view, new IndicatorCache(), operands);
    const from = this.next - this.base;
    const n = to - this.base;
    if (this.entry.length < n) {
      const grow = (a: Uint8Array) => {
        const b = new Uint8Array(Math.max(n, a.length * 2));
        b.set(a);
        return b;
      };
      this.entry = grow(this.entry);
      this.exit = grow(this.exit);
    }
    fillSignals(bound.entry, from, n, this.entry);
    fillSignals(bound.exit, from, n, this.exit);
    const c = this.candle;
    for (let i = this.next; i < to; i++) {
      const open = s.openTime[i]!;
      // A bar of a later day: the day of the previous bar is over (its last close is the state we record).
      if (this.lastOpen === this.lastOpen && dayStart(open) !== dayStart(this.lastOpen)) this.closeDay(this.lastOpen);
      c.openTime = open;
      c.open = s.open[i]!;
      c.high = s.high[i]!;
      c.low = s.low[i]!;
      c.close = s.close[i]!;
      c.volume = s.volume[i]!;
      this.cursor = i - this.base;
      const step = this.session.onCandle(this.symbol, c);
      if (step !== undefined) await step;
      this.lastOpen = open;
    }
    this.next = to;
    // The day's last bar has closed: the day is over.
    if (this.lastOpen + this.barMs === dayStart(this.lastOpen) + DAY_MS) this.closeDay(this.lastOpen);
  }

  /**
   * The account ended: what was sent at the last close is cancelled and an open position closed at market, filled at
   * the last close fed (the session's stop: the backtest's end_of_data), through the router, so the log records it.
   */
  async stop(): Promise<void> {
    await this.session.stop();
  }

  /**
   * After stop(): its final day, the day of the close at market (the close of the last bar fed) with the equity after
   * the exit, partial — or, when that close is midnight, the next day, holding only the exit (the day of the last bar
   * was closed with the position still held). Nothing when no bar was fed: it never traded, and has no day.
   */
  closeFinalDay(): void {
    if (this.lastOpen !== this.lastOpen || this.final) return;
    const at = this.lastOpen + this.barMs;
    this.pushDay(utcDay(at), at);
    this.final = true;
  }

  /** Whether day k is its final day. */
  isFinal(k: number): boolean {
    return this.final && k === this.days.length - 1;
  }

  private closeDay(lastOpen: number): void {
    const day = utcDay(lastOpen);
    if (this.days.length > 0 && this.days[this.days.length - 1]!.day === day) return;
    this.pushDay(day, lastOpen + this.barMs);
  }

  /** A day as its last close (`at`) leaves the account: equity, its return, the trades closed in it, the position. */
  private pushDay(day: string, at: number): void {
    const runner = this.session.runner(this.name);
    const curve = runner.equity;
    const equity = curve[curve.length - 1]!;
    const d0 = Date.parse(day);
    let trades = 0;
    for (const t of runner.trades) if (t.exitTime >= d0 && t.exitTime < d0 + DAY_MS) trades++;
    const previous = this.days.length === 0 ? this.deps.run.initialCapital : this.days[this.days.length - 1]!.equity;
    const held = this.session.venue.positions(this.name).find((p) => p.symbol === this.symbol);
    this.days.push({
      day,
      equity,
      dayReturn: equity / previous - 1,
      trades,
      tradesTotal: runner.trades.length,
      position: held === undefined ? 0 : held.quantity,
    });
    this.closedAt.push(at);
  }

  /** What the risk gate or the venue refused since the last call, in a sentence (undefined when nothing). */
  newRefusals(): string | undefined {
    const all = this.session.runner(this.name).refusals;
    if (all.length === this.refusalsTold) return undefined;
    const fresh = all.slice(this.refusalsTold);
    this.refusalsTold = all.length;
    const first = fresh[0]!;
    const why = first.kind === 'refused' ? first.refusal.message : first.kind === 'rejected' ? `${first.code}: ${first.message}` : first.reason;
    return `${this.name}: ${fresh.length} order(s) refused (the first: ${why})`;
  }

  /** Full days (starting at or after its first bar) closed so far. */
  get fullDays(): number {
    let n = 0;
    for (const d of this.days) if (Date.parse(d.day) >= this.firstOpen) n++;
    return n;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

const READ_AHEAD_MS = 7 * DAY_MS;

/** How many of the symbol's cached candles have closed by `now` (open time + bar ≤ now). */
const closedBy = (c: SymbolCandles, now: number): number => {
  const limit = now - INTERVAL_MS[c.key.interval];
  let lo = 0;
  let hi = c.bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c.bars.series.openTime[mid]! <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

export const createTradingDesk = (deps: TradingDeskDeps): PipelineStep => {
  const actor = deps.actor ?? ('system:pipeline' as Actor);
  const strategies = new Map<string, StrategyInfo>();
  const accounts = new Map<string, DeskAccount>();
  const symbols = new Map<string, SymbolCandles>();
  /** Days already in each strategy's performance stream (account:day), read once per strategy. */
  const recorded = new Map<string, Set<string>>();

  /** Reads the strategy's stream again when its revision moved. */
  const strategyInfo = async (id: string, revision: number, genome: unknown): Promise<StrategyInfo | string> => {
    const cached = strategies.get(id);
    if (cached !== undefined && cached.revision === revision) return cached;
    const decoded = decodeAll<StrategyEvent>(await deps.store.readStream(strategyStream(id)));
    if (either.isLeft(decoded)) return `strategy ${id}: its stream does not decode (${decoded.left.message}); not traded`;
    let state: StrategyState = initialState();
    let paperStart: number | undefined;
    let live: StrategyInfo['live'];
    let activations = 0;
    let backtest: BacktestResult | undefined;
    const ends = new Map<string, AccountPeriod>();
    for (const d of decoded.right) {
      const at = Date.parse(d.metadata.occurredAt);
      const e = d.event;
      if (e.type === 'PaperTradingStarted' && paperStart === undefined) paperStart = at;
      if (e.type === 'StrategyActivated') live = { start: at, n: ++activations };
      if ((e.type === 'StrategyDeactivated' || e.type === 'StrategyRetired') && live !== undefined) {
        ends.set(deskAccountName('live', id, live.n), { mode: 'live', start: live.start, end: at });
        live = undefined;
      }
      if (e.type === 'StrategyBacktested') backtest = e.data.result;
      const was = state.status;
      state = evolve(state, e);
      const trading = (x: string) => x === 'Paper' || x === 'Live';
      if (paperStart !== undefined && trading(was) && !trading(state.status) && !ends.has(deskAccountName('paper', id)))
        ends.set(deskAccountName('paper', id), { mode: 'paper', start: paperStart, end: at });
    }
    let compiled: CompiledGenome;
    try {
      compiled = cached?.compiled ?? compileGenome(genome);
    } catch (err) {
      return `strategy ${id}: its genome does not compile (${err instanceof Error ? err.message : String(err)}); not traded`;
    }
    const info: StrategyInfo = { id, revision, state, compiled, paperStart, live, ends, backtest };
    strategies.set(id, info);
    return info;
  };

  const recordedDays = async (strategyId: string): Promise<Set<string> | string> => {
    const known = recorded.get(strategyId);
    if (known !== undefined) return known;
    const decoded = decodeAll<PerformanceEvent>(await deps.store.readStream(performanceStream(strategyId)));
    if (either.isLeft(decoded)) return `strategy ${strategyId}: its performance stream does not decode (${decoded.left.message})`;
    const set = new Set(decoded.right.map((d) => `${d.event.data.account}:${d.event.data.day}`));
    recorded.set(strategyId, set);
    return set;
  };

  /** Loads the symbol's candles closed by `now` that the cache lacks (from `from` when it must start earlier). */
  const candlesOf = async (key: SeriesKey, from: number, now: number): Promise<SymbolCandles> => {
    const name = `${key.symbol}/${key.interval}`;
    const barMs = INTERVAL_MS[key.interval];
    const to = now - barMs + 1; // open times of the bars closed by now
    let c = symbols.get(name);
    if (c === undefined || from < c.from) {
      // An account needs earlier candles than the cache holds: reload (the accounts re-find their place).
      c = { key, bars: new GrowingSeries(key, 1024), from };
      symbols.set(name, c);
      for (const a of accounts.values()) if (a.symbol === key.symbol) accounts.delete(a.name);
    }
    const after = c.bars.length === 0 ? c.from : c.bars.lastOpen + 1;
    // Reads ahead (a replay's store holds the bars to come; the accounts see only those closed by `now`), so a replay
    // asks once a week per symbol instead of every tick; live, nothing is ahead and each due bar is asked for.
    if (after < to) c.bars.append(await deps.candles.readSeries(key, { from: after, to: to + READ_AHEAD_MS }));
    return c;
  };

  const appendDay = async (account: DeskAccount, k: number): Promise<boolean> => {
    const d = account.days[k]!;
    const data = {
      strategyId: account.strategyId,
      mode: account.mode,
      account: account.name,
      day: d.day,
      initialCapital: deps.run.initialCapital,
      equity: d.equity,
      dayReturn: d.dayReturn,
      trades: d.trades,
      tradesTotal: d.tradesTotal,
      position: d.position,
      at: account.closedAt[k]!,
      ...(account.isFinal(k) ? { final: true } : {}),
    } as TradingDayClosed['data'];
    const handled = await handleCommand(
      deps,
      performanceDecider,
      performanceStream(account.strategyId),
      { type: 'CloseTradingDay', data },
      {
        actor,
        // The event id derives from (strategy, account, day): a re-run appends nothing twice.
        idempotencyKey: `trading-day:${account.strategyId}:${account.name}:${d.day}`,
      },
    );
    if (either.isLeft(handled)) {
      if ((handled.left as { kind?: string }).kind === 'DayAlreadyClosed') return false;
      throw new Error(`trading desk: ${account.name} ${d.day} not recorded: ${JSON.stringify(handled.left)}`);
    }
    return handled.right.events.length > 0;
  };

  /** Appends the account's closed days the log lacks (every one after a restart); how many it appended, or a note. */
  const recordDays = async (account: DeskAccount): Promise<number | string> => {
    const known = await recordedDays(account.strategyId);
    if (typeof known === 'string') return known;
    let appended = 0;
    for (let k = 0; k < account.days.length; k++) {
      const key = `${account.name}:${account.days[k]!.day}`;
      if (known.has(key)) continue;
      if (await appendDay(account, k)) appended++;
      known.add(key);
    }
    return appended;
  };

  /** Standing conditions (missing candles, a genome that cannot be traded) are told once, not at every tick. */
  const told = new Set<string>();
  const tell = (notes: string[], note: string): void => {
    if (told.has(note)) return;
    told.add(note);
    notes.push(note);
  };

  /** Strategies whose paper verdict this desk has seen through (recorded, or found recorded, and acted on). */
  const judged = new Set<string>();

  const retire = async (id: string, reason: string): Promise<number> => {
    const retired = await handleStrategyCommand(
      deps,
      { type: 'RetireStrategy', strategyId: id as never, data: { decidedBy: actor, reason: reason.slice(0, 2000) as never } },
      { actor, idempotencyKey: `paper-rejected:${id}` },
    );
    if (either.isLeft(retired)) throw new Error(`trading desk: strategy ${id} rejected on paper but not retired: ${JSON.stringify(retired.left)}`);
    return retired.right.events.length;
  };

  /** After `days` full paper days: the verdict (once), then the retirement of a rejected strategy that is not pinned. */
  const evaluate = async (info: StrategyInfo, paper: DeskAccount, days: number, notes: string[]): Promise<number> => {
    if (judged.has(info.id) || paper.fullDays < days) return 0;
    // The stream as it is now (a pin or a verdict need not move the read model's revision).
    const loaded = await loadStrategy(deps.store, info.id);
    if (either.isLeft(loaded)) {
      notes.push(`strategy ${info.id}: its stream does not decode (${loaded.left.message}); not evaluated`);
      return 0;
    }
    const state = loaded.right.state;
    if (state.status !== 'Paper') return 0;
    let appended = 0;
    let outcome = state.evaluation;
    let reason = 'its paper period was rejected (PaperTradingEvaluated)';
    if (outcome === undefined) {
      if (info.backtest === undefined) {
        tell(notes, `strategy ${info.id}: ${days} full paper days done but no backtest to judge them against; not evaluated`);
        return 0;
      }
      // The days up to the last of the first `days` full days (the partial first day included).
      let k = 0;
      for (let full = 0; k < paper.days.length; k++) if (Date.parse(paper.days[k]!.day) >= paper.firstOpen && ++full === days) break;
      const evaluation = evaluatePaper({
        paper: recordStats(deps.run.initialCapital, paper.days.slice(0, k + 1)),
        backtest: info.backtest,
        period: { start: paper.start, end: paper.closedAt[k]! },
      });
      const handled = await handleStrategyCommand(
        deps,
        {
          type: 'EvaluatePaperTrading',
          strategyId: info.id as never,
          data: { decidedBy: actor, reason: `${evaluation.outcome}: ${days} full days of paper trading judged against the backtest` as never, evaluation },
        },
        { actor, idempotencyKey: `paper-evaluation:${info.id}` },
      );
      if (either.isLeft(handled)) throw new Error(`trading desk: the paper evaluation of ${info.id} was not recorded: ${JSON.stringify(handled.left)}`);
      appended += handled.right.events.length;
      outcome = evaluation.outcome;
      reason = rejectionSummary(evaluation);
      const failed = evaluation.reasons.filter((r) => r.startsWith('failed'));
      notes.push(`strategy ${info.id}: paper trading ${outcome}${failed.length > 0 ? ` (${failed.join('; ')})` : ''}`);
    }
    if (outcome === 'rejected') {
      if (!state.pinned) appended += await retire(info.id, reason);
      else if (state.evaluation === undefined) notes.push(`strategy ${info.id}: rejected on paper but pinned: kept in paper`);
    }
    judged.add(info.id);
    strategies.delete(info.id);
    return appended;
  };

  /**
   * Accounts this desk has closed at their end, or found closed on the log (each closes once; a fresh desk recomputes
   * one whose close the read model does not show, and appends what the log lacks).
   */
  const ended = new Set<string>();
  /** Whether this desk has looked for the accounts of strategies retired before it started (at its first tick). */
  let swept = false;
  /** The strategies listed at the last tick: one that is no longer listed has its ended accounts closed. */
  const seen = new Set<string>();

  /**
   * Takes as closed those of these ended accounts that this desk does not hold and whose final day the read model
   * shows: orders and days, their close is on the log, so they are not recomputed from their start.
   */
  const markRecordedCloses = async (names: readonly string[]): Promise<void> => {
    const ask = names.filter((n) => !ended.has(n) && !accounts.has(n));
    if (ask.length === 0) return;
    for (const n of await deps.strategies.closedAccounts(ask)) ended.add(n);
  };

  /**
   * An account that ended at `end`: fed the bars closed by then (by `now` if earlier) that it has not seen, then
   * stopped — its position closed at the last close fed — its orders appended, then the days the log lacks and its
   * final day (the partial day up to that close, DeskAccount.closeFinalDay), through the performance decider as every
   * day. From its start when this desk does not hold it (a restart): the same bars give the same orders and days, and
   * the log takes only what it lacks. False when it is left for a later tick.
   *
   * An end at `now` itself is left for the next tick: in a tick the desk runs before the steps that end accounts (the
   * activation step's deactivations and retirements; the desk's own retirement of a rejected strategy comes after its
   * accounts too), so it sees such an end one tick later. A tick ticked again at the same `now` after a kill that came
   * after them closes it at the next tick as well, not a tick early (nor, at a replay's last hour, at all).
   */
  const closeEnded = async (info: StrategyInfo, name: string, period: AccountPeriod, t: number, out: TickOut): Promise<boolean> => {
    if (ended.has(name)) return true;
    if (period.end >= t) return false;
    const g = info.compiled.genome;
    const barMs = INTERVAL_MS[g.timeframe];
    if (Math.ceil(period.start / barMs) * barMs + barMs > period.end) {
      // No bar of it closed before its end: it never traded, has no day and nothing to close (no candle to read).
      accounts.delete(name);
      ended.add(name);
      return true;
    }
    const symbol = g.symbols[0]!;
    const account = accounts.get(name) ?? new DeskAccount(name, period.mode, info.id, period.start, info.compiled, symbol, g.timeframe, deps);
    accounts.delete(name);
    const until = Math.min(period.end, t);
    const cached = symbols.get(`${symbol}/${g.timeframe}`);
    const candles = await candlesOf(
      { exchange: deps.exchange, symbol, interval: g.timeframe },
      Math.min(cached?.from ?? account.seriesFrom, account.seriesFrom),
      until,
    );
    try {
      await account.advance(candles, closedBy(candles, until));
    } catch (e) {
      if (!(e instanceof OperandDataError)) throw e;
      tell(out.notes, `${name}: cannot be closed at its end: ${e.message.replace(/ \[[^\]]*\)$/, '')}`);
      return false; // tried again at the next tick
    }
    await account.stop();
    await account.orders.flush(deps.store);
    for (const f of account.orders.failures.splice(0)) out.notes.push(`${name}: an order step not recorded: ${f}`);
    // Its orders before its days, as every tick does: the closing fill is in the log when the final day is.
    account.closeFinalDay();
    const days = await recordDays(account);
    if (typeof days === 'string') out.notes.push(days);
    else out.appended += days;
    ended.add(name);
    return true;
  };
  /**
   * Closes these ended accounts of a strategy, its paper account last and only once the others are closed: the paper
   * account's end (the retirement) is the strategy's last, so its final day on the log means that every account of
   * the strategy is closed — the first-tick sweep asks for that day alone. True when one is left for a later tick.
   */
  const closeEnds = async (info: StrategyInfo, ends: readonly (readonly [string, AccountPeriod])[], t: number, out: TickOut): Promise<boolean> => {
    await markRecordedCloses(ends.filter(([, p]) => p.end < t).map(([name]) => name));
    let later = false;
    // (a stable sort: the live periods in the order they ended, then the paper account)
    for (const [name, period] of [...ends].sort(([, a], [, b]) => Number(a.mode === 'paper') - Number(b.mode === 'paper')))
      if ((period.mode === 'paper' && later) || !(await closeEnded(info, name, period, t, out))) later = true;
    return later;
  };
  /** Closes the ended accounts of a strategy no longer listed; one left for a later tick keeps it in `seen` until then. */
  const closeAllEnded = async (info: StrategyInfo, t: number, out: TickOut) => {
    const ends = [...info.ends].filter(([, period]) => traded(period));
    if (await closeEnds(info, ends, t, out)) seen.add(info.id);
  };
  const traded = (period: { mode: TradingMode }) => period.mode === 'paper' || deps.liveAccounts !== 'elsewhere';

  return {
    name: 'desk',
    async tick(now: Date): Promise<StepOutcome> {
      const t = now.getTime();
      const out: TickOut = { notes: [], appended: 0 };
      const notes = out.notes;
      // paper.evaluationDays, read when a verdict may have come due (an account closed a day or was just opened): a
      // change of the setting takes effect at the next day a paper account closes.
      let evaluationDays: number | undefined;
      const dueDays = async (): Promise<number | undefined> => {
        if (evaluationDays !== undefined) return evaluationDays;
        const settings = await loadSettings(deps.store);
        if (either.isLeft(settings)) {
          notes.push(`desk: the settings stream does not decode (${settings.left.message}); no paper evaluation`);
          return undefined;
        }
        return (evaluationDays = settings.right['paper.evaluationDays']);
      };

      const rows = await deps.strategies.inPaperOrLive();
      const wanted = new Map<string, { info: StrategyInfo; mode: TradingMode; name: string; start: number }>();
      const genomes = new Map<string, unknown>();
      const needGenome = rows.filter((r) => !strategies.has(r.id)).map((r) => r.id);
      if (needGenome.length > 0) for (const [id, g] of await deps.strategies.genomes(needGenome)) genomes.set(id, g);
      const listed: StrategyInfo[] = [];
      for (const row of rows) {
        const info = await strategyInfo(row.id, row.revision, genomes.get(row.id));
        if (typeof info === 'string') {
          tell(notes, info);
          continue;
        }
        listed.push(info);
        if (info.state.status !== 'Paper' && info.state.status !== 'Live') continue;
        if (info.paperStart !== undefined)
          wanted.set(deskAccountName('paper', info.id), { info, mode: 'paper', name: deskAccountName('paper', info.id), start: info.paperStart });
        if (info.state.status === 'Live' && info.live !== undefined && deps.liveAccounts !== 'elsewhere') {
          const name = deskAccountName('live', info.id, info.live.n);
          wanted.set(name, { info, mode: 'live', name, start: info.live.start });
        }
      }
      // Accounts that ended are closed once (closeEnded). Those of the strategies this desk saw listed that are listed
      // no more (retired), from the stream as it is now — whether the desk still holds their session or not…
      const shown = new Set(rows.map((r) => r.id));
      for (const id of [...seen].sort()) {
        if (shown.has(id)) continue;
        seen.delete(id);
        const genome = strategies.get(id)?.compiled.genome ?? (await deps.strategies.genomes([id])).get(id);
        const info = await strategyInfo(id, NaN, genome);
        if (typeof info === 'string') {
          tell(notes, info);
          continue;
        }
        await closeAllEnded(info, t, out);
        strategies.delete(id);
      }
      for (const info of listed) seen.add(info.id);
      // …the ended ones of the strategies listed (a live period deactivated; a retirement the read model lags behind)…
      for (const info of listed) {
        const ends = [...info.ends].filter(([name, period]) => !wanted.has(name) && traded(period));
        if (ends.length > 0) await closeEnds(info, ends, t, out);
      }
      // …and, at a desk's first tick, those of every strategy retired from Paper or Live: the desk before a restart may
      // have stopped before closing them. One whose paper account's final day the read model shows is closed (closeEnds
      // closes that account last) and left alone; the others are recomputed from their start, and the log takes only
      // what it lacks (a close a crash interrupted, a retirement while no desk ran).
      if (!swept) {
        const left = new Set<string>();
        for (const e of await deps.store.readAll({ filter: { categories: [STRATEGY_CATEGORY], eventTypes: ['StrategyRetired'] } })) {
          const id = e.streamName.slice(STRATEGY_CATEGORY.length + 1);
          const from = (e.data as { fromState?: unknown }).fromState;
          if ((from === 'Paper' || from === 'Live') && !shown.has(id)) left.add(id);
        }
        const closed = await deps.strategies.closedAccounts([...left].map((id) => deskAccountName('paper', id)));
        const open = [...left].filter((id) => !closed.has(deskAccountName('paper', id))).sort();
        const stored = open.length === 0 ? new Map<string, unknown>() : await deps.strategies.genomes(open);
        for (const id of open) {
          const info = await strategyInfo(id, NaN, stored.get(id));
          if (typeof info === 'string') {
            tell(notes, info);
            continue;
          }
          await closeAllEnded(info, t, out);
          strategies.delete(id);
        }
        swept = true;
      }
      for (const name of [...accounts.keys()]) if (!wanted.has(name)) accounts.delete(name);

      // The candles: per symbol, from the earliest warm-up any account needs.
      const needs = new Map<string, { key: SeriesKey; from: number }>();
      for (const w of wanted.values()) {
        const g = w.info.compiled.genome;
        const barMs = INTERVAL_MS[g.timeframe];
        const from = Math.ceil(w.start / barMs) * barMs - WARMUP_BARS * barMs;
        for (const symbol of g.symbols) {
          const name = `${symbol}/${g.timeframe}`;
          const n = needs.get(name);
          if (n === undefined || from < n.from) needs.set(name, { key: { exchange: deps.exchange, symbol, interval: g.timeframe }, from });
        }
      }
      const loaded = new Map<string, SymbolCandles>();
      for (const [name, n] of needs) loaded.set(name, await candlesOf(n.key, n.from, t));

      for (const w of wanted.values()) {
        const g = w.info.compiled.genome;
        // One account trades the genome's first symbol (the cycle's genomes trade one).
        const symbol = g.symbols[0]!;
        if (g.symbols.length > 1) tell(notes, `strategy ${w.info.id}: trades ${symbol} only of ${g.symbols.join(', ')} on the desk`);
        const candles = loaded.get(`${symbol}/${g.timeframe}`)!;
        let account = accounts.get(w.name);
        const opened = account === undefined;
        if (account === undefined) {
          account = new DeskAccount(w.name, w.mode, w.info.id, w.start, w.info.compiled, symbol, g.timeframe, deps);
          accounts.set(w.name, account);
        }
        const daysBefore = account.days.length;
        const visible = closedBy(candles, t);
        try {
          await account.advance(candles, visible);
        } catch (e) {
          // A source this strategy's operands read is missing (not wired, or no value in its window): this account
          // does not trade this tick, says why, and the others go on; it tries again at the next tick.
          if (!(e instanceof OperandDataError)) throw e;
          // Without the window (it moves every tick), so the note is told once while it lasts.
          tell(notes, `${w.name}: cannot trade: ${e.message.replace(/ \[[^\]]*\)$/, '')}`);
          continue;
        }
        // Its orders before its days: a closed day's fills are in the log when its TradingDayClosed is.
        await account.orders.flush(deps.store);
        for (const f of account.orders.failures.splice(0)) notes.push(`${w.name}: an order step not recorded: ${f}`);
        const refused = account.newRefusals();
        if (refused !== undefined) notes.push(refused);
        const barMs = INTERVAL_MS[g.timeframe];
        const lastClosedOpen = Math.floor(t / barMs) * barMs - barMs;
        const last = visible === 0 ? undefined : candles.bars.series.openTime[visible - 1]!;
        if (lastClosedOpen >= account.firstOpen + barMs && (last === undefined || last < account.firstOpen))
          tell(notes, `${w.name}: no stored ${deps.exchange} ${symbol} ${g.timeframe} candles since ${iso(account.firstOpen)}: it cannot trade`);
        else if (last !== undefined && lastClosedOpen >= account.firstOpen && last < lastClosedOpen - barMs)
          tell(notes, `${w.name}: ${deps.exchange} ${symbol} ${g.timeframe} candles missing after ${iso(last + barMs)}: trading waits for them`);

        // The days closed by this tick (or, after a restart, every day) that the log lacks.
        const closedDays = await recordDays(account);
        if (typeof closedDays === 'string') {
          notes.push(closedDays);
          continue;
        }
        out.appended += closedDays;
        if (w.mode === 'paper' && (opened || account.days.length > daysBefore)) {
          const days = await dueDays();
          if (days !== undefined) out.appended += await evaluate(w.info, account, days, notes);
        }
      }
      return { appended: out.appended, notes };
    },
  };
};
