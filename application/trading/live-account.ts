// Starting an account on a real exchange (testnet or live): what a process calls before it trades. In order:
// 1. refuse unless the trading mode is testnet or live (paper trades on the paper exchange);
// 2. open the exchange and read its markets;
// 3. fold the account's order history (order-history.ts);
// 4. reconcile it with the exchange (reconcile.ts: one ExchangeReconciled on exchange-<id>, orders nobody knows
//    cancelled unless adopted);
// 5. open the account's risk gate from its stream, with the exchange's cash;
// 6. build the executor and make the resolutions order events through it (apply-reconciliation.ts);
// 7. fold the history again and resume what it leaves, each order checked on its own stream (the log's reading may not
//    show the resolutions yet): the live orders polled, the emulated ones watched;
// 8. start the venue's push channel where it has one (the executor records each update as a poll would), and the
//    polling on the injected scheduler: every 5 s without a push channel, every 30 s with one (the safety net for what
//    a stream misses while it is down), unless pollIntervalMs says otherwise.
// Starting again at once records nothing new on any order stream: the differences are gone (the reconciliation's
// own record then lists none).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { MarketAssets } from '../../domain/execution/balance-effect.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { ReconciliationEvent } from '../../domain/execution/reconciliation-events.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { loadStream, type CommandDeps } from '../commands/handle-command.js';
import { orderStream } from '../../domain/execution/events.js';
import { orderDecider } from '../../domain/execution/order-decider.js';
import { isLive } from '../../domain/execution/order-state.js';
import type { EventDecodeFailed } from '../events/decode-event.js';
import type { Exchange, ExchangeFailure } from '../ports/exchange.js';
import { applyReconciliation, type ApplyFailure } from './apply-reconciliation.js';
import { Executor, type RetryPolicy, type Scheduler } from './executor.js';
import { foldOrderHistory, type LiveOrder, type OrderHistory, type WaitingOrder } from './order-history.js';
import type { OrderListener } from './order-router.js';
import { reconcileAtStart, type ReconcileError, type ReconcileOptions } from './reconcile.js';
import { openRiskGate } from './risk-recorder.js';
import type { AccountRiskGate, HeldPosition } from './risk-gate.js';

/** config.trading.mode (infrastructure/config): the values, not the import, so that application/ stays an inner layer. */
export type LiveTradingMode = 'paper' | 'testnet' | 'live';

export interface LiveAccountSettings {
  readonly mode: LiveTradingMode;
  readonly account: string;
  /** Opens the venue (the ccxt adapter's openCcxtExchange): its own refusal is passed on as it says it. */
  readonly openExchange: () => Either<string, Exchange>;
  /** The account's risk limits by default, and the asset its cash is counted in (the gate's `cash`). */
  readonly risk: { readonly defaultLimits: RiskLimits; readonly cashAsset: string };
  readonly scheduler: Scheduler;
  /** Default: POLL_INTERVAL_MS, by whether the venue pushes. */
  readonly pollIntervalMs?: number;
  /** Take the venue's pushed order updates where it has them (default true). */
  readonly push?: boolean;
  /** Told when the push channel is lost or refused (it reconnects by itself; polling goes on meanwhile). */
  readonly onPushError?: (failure: ExchangeFailure) => void;
  /** The runner, told of fills and ends found at start as of any other. Default: nobody. */
  readonly listener?: OrderListener;
  readonly reconcile?: Omit<ReconcileOptions, 'assetsOf'>;
  /**
   * A waiting trailing stop's best price since it was placed (the best high — a sell — or low — a buy — of the bars
   * closed since `placedAt`): the events do not hold it. Undefined: it trails from the first bar after the start.
   */
  readonly trailingBest?: (order: WaitingOrder) => Promise<number | undefined>;
  /**
   * The latest price of a symbol (e.g. its last stored close), to mark what the account holds at start; the risk gate
   * must know those positions, or it would take their exits for new shorts. Default: none known.
   */
  readonly lastPrice?: (symbol: string) => Promise<number | undefined>;
  readonly retry?: RetryPolicy;
  readonly actor?: Actor;
}

export type LiveAccountError =
  | { readonly kind: 'Refused'; readonly message: string }
  | { readonly kind: 'ExchangeUnavailable'; readonly failure: ExchangeFailure }
  | { readonly kind: 'HistoryUnreadable'; readonly error: EventDecodeFailed }
  | { readonly kind: 'ReconcileFailed'; readonly error: ReconcileError };

export interface LiveAccount {
  readonly exchange: Exchange;
  readonly executor: Executor;
  readonly risk: AccountRiskGate;
  /** What the reconciliation found and recorded. */
  readonly reconciled: ReconciliationEvent & { readonly type: 'ExchangeReconciled' };
  /** Differences that could not be made order events (the reconciliation still records them). */
  readonly unapplied: readonly ApplyFailure[];
  /** The history after the resolutions: what the executor resumed. */
  readonly history: OrderHistory;
  /** Assets held at start that the risk gate could not mark (no market against the cash asset, or no price): not in its books. */
  readonly unmarkedHoldings: readonly string[];
  /** Whether the venue's order updates are pushed (else polled only). */
  readonly pushed: boolean;
  /** The status poll's interval in force, ms. */
  readonly pollIntervalMs: number;
  /** Stops the polling and closes the push channel. */
  readonly stop: () => Promise<void>;
}

/** The status poll's interval: the only source of order updates without a push channel, the safety net with one. */
export const POLL_INTERVAL_MS = { polledOnly: 5_000, withPush: 30_000 } as const;

const NO_LISTENER: OrderListener = { onFill: () => undefined, onOrderEnded: () => undefined };

/**
 * The orders to resume, each by its own stream: the log's reading shows an event only once no older transaction is
 * open on the server, so a fold of the log right after the resolutions may not show them yet (an order the
 * reconciliation just recorded filled would be polled as open, and cancelled as open by whoever stops the account).
 */
const stillOpen = async (deps: CommandDeps, histories: readonly OrderHistory[]): Promise<Either<EventDecodeFailed, Pick<OrderHistory, 'live' | 'waiting'>>> => {
  const candidates = new Map<string, { live?: LiveOrder; waiting?: WaitingOrder }>();
  for (const h of histories) {
    for (const o of h.live) candidates.set(o.clientOrderId, { ...candidates.get(o.clientOrderId), live: o });
    for (const o of h.waiting) candidates.set(o.clientOrderId, { ...candidates.get(o.clientOrderId), waiting: o });
  }
  const live: LiveOrder[] = [];
  const waiting: WaitingOrder[] = [];
  for (const [id, c] of candidates) {
    const loaded = await loadStream(deps.store, orderStream(id), orderDecider);
    if (either.isLeft(loaded)) return loaded;
    const state = loaded.right.state;
    if (!isLive(state)) continue;
    const spec = state.order.request.spec;
    if (state.status === 'Held') waiting.push(c.waiting ?? { clientOrderId: spec.clientOrderId, spec, placedAt: 0 });
    else live.push(c.live ?? { clientOrderId: spec.clientOrderId, symbol: spec.symbol });
  }
  return either.right({ live, waiting });
};

export const startLiveAccount = async (deps: CommandDeps, s: LiveAccountSettings): Promise<Either<LiveAccountError, LiveAccount>> => {
  if (s.mode !== 'testnet' && s.mode !== 'live')
    return either.left({
      kind: 'Refused',
      message: `TRADING_MODE=${s.mode} trades on the paper exchange; a live account starts only with TRADING_MODE=testnet (the sandbox) or live (real money)`,
    });
  const opened = s.openExchange();
  if (either.isLeft(opened)) return either.left({ kind: 'Refused', message: opened.left });
  const exchange = opened.right;
  const actor = s.actor ?? ('system:live-account' as Actor);
  const listener = s.listener ?? NO_LISTENER;

  const markets = await exchange.markets()();
  if (either.isLeft(markets)) return either.left({ kind: 'ExchangeUnavailable', failure: markets.left });
  const assetsOf = (symbol: string): MarketAssets | undefined => {
    const m: MarketRules | undefined = markets.right.get(symbol);
    return m === undefined ? undefined : { base: m.base, quote: m.quote };
  };
  const query = { account: s.account, exchange: exchange.id, assetsOf };

  const before = await foldOrderHistory(deps.store, query);
  if (either.isLeft(before)) return either.left({ kind: 'HistoryUnreadable', error: before.left });
  const reconciled = await reconcileAtStart({ ...deps, exchange, actor }, before.right.known, { ...s.reconcile, assetsOf });
  if (either.isLeft(reconciled)) return either.left({ kind: 'ReconcileFailed', error: reconciled.left });

  const balances = await exchange.fetchBalances()();
  if (either.isLeft(balances)) return either.left({ kind: 'ExchangeUnavailable', failure: balances.left });
  // What the account holds besides cash is a position (spot: a long in each base asset), marked at its last price.
  const marketOf = new Map<string, string>();
  for (const m of markets.right.values()) if (m.quote === s.risk.cashAsset) marketOf.set(m.base, m.symbol);
  const positions: HeldPosition[] = [];
  const unmarkedHoldings: string[] = [];
  for (const [asset, balance] of Object.entries(balances.right)) {
    if (asset === s.risk.cashAsset || !(balance.total > 0)) continue;
    const symbol = marketOf.get(asset);
    const price = symbol === undefined ? undefined : await s.lastPrice?.(symbol);
    if (symbol !== undefined && price !== undefined && price > 0 && Number.isFinite(price)) positions.push({ symbol, quantity: balance.total, price });
    else unmarkedHoldings.push(asset);
  }
  const risk = await openRiskGate(deps, {
    account: s.account,
    exchange: exchange.id,
    cash: balances.right[s.risk.cashAsset]?.total ?? 0,
    defaultLimits: s.risk.defaultLimits,
    positions,
  });
  if (either.isLeft(risk)) return either.left({ kind: 'HistoryUnreadable', error: risk.left });

  const executor = new Executor({
    ...deps,
    exchange,
    risk: risk.right,
    listener,
    account: s.account,
    actor,
    ...(s.retry === undefined ? {} : { retry: s.retry }),
  });
  const unapplied = await applyReconciliation({ ...deps, executor, listener, actor }, reconciled.right);
  await executor.settled();

  const folded = await foldOrderHistory(deps.store, query);
  if (either.isLeft(folded)) return either.left({ kind: 'HistoryUnreadable', error: folded.left });
  const resumed = await stillOpen(deps, [before.right, folded.right]);
  if (either.isLeft(resumed)) return either.left({ kind: 'HistoryUnreadable', error: resumed.left });
  const after: OrderHistory = { ...folded.right, ...resumed.right };
  const held = [];
  for (const w of after.waiting) {
    const best = w.spec.type === 'trailing_stop' && s.trailingBest !== undefined ? await s.trailingBest(w) : undefined;
    held.push({ spec: w.spec, ...(best === undefined ? {} : { best }) });
  }
  executor.resume({ live: after.live, held });
  const unwatch = s.push === false ? undefined : executor.watch(s.onPushError);
  const pollIntervalMs = s.pollIntervalMs ?? (unwatch === undefined ? POLL_INTERVAL_MS.polledOnly : POLL_INTERVAL_MS.withPush);
  const stopPolling = executor.startSync(s.scheduler, pollIntervalMs);
  const stop = async () => {
    stopPolling();
    await unwatch?.();
    await executor.settled();
  };
  return either.right({
    exchange,
    executor,
    risk: risk.right,
    reconciled: reconciled.right,
    unapplied,
    history: after,
    pushed: unwatch !== undefined,
    pollIntervalMs,
    stop,
    unmarkedHoldings,
  });
};
