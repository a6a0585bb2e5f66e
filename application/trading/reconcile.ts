// Reconciliation at start: before a live or testnet run trades, what the event history says (the account's open
// orders and balances, given as plain inputs by whoever folds the order streams) is compared with what the exchange
// says (fetchOpenOrders, fetchOrder for every order we think open, fetchBalances). Every difference is resolved and
// recorded in one `ExchangeReconciled` on `exchange-<id>`:
// - an order open on the exchange that the history does not know: cancelled (nobody would manage it), or adopted
//   when the caller says so;
// - an order we think open that ended while we were down: its final status and the fills we missed, for the order
//   stream to record;
// - an order still open that filled further: the fills we missed;
// - an order we think open that the exchange never had: recorded as rejected;
// - a balance whose total differs: the exchange's figure is adopted. With the markets' assets (`assetsOf`), the
//   expected totals include the fills this reconciliation records, so a difference is one the missed fills do not
//   explain (a deposit, a withdrawal, a fill of an order placed by hand).
// A question the exchange could not answer (rate limit, timeout) fails the whole reconciliation and records nothing:
// a partial comparison would report differences that are not there. The caller retries.
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import {
  exchangeStream,
  RECONCILIATION_BOUNDS,
  type ReconciledOrder,
  type ReconciliationDifference,
  type ReconciliationEvent,
} from '../../domain/execution/reconciliation-events.js';
import { applyFill, type MarketAssets } from '../../domain/execution/balance-effect.js';
import type { ClientOrderId } from '../../domain/execution/order.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { eventMetadata } from '../commands/handle-command.js';
import type { Clock } from '../ports/clock.js';
import type { AppendError, EventStore } from '../ports/event-store.js';
import type { Exchange, ExchangeFailure, ExchangeFill, ExchangeOrder } from '../ports/exchange.js';
import type { IdGenerator } from '../ports/ids.js';

/** An order the history says is open, with what it knows of its fills. */
export interface KnownOpenOrder {
  readonly clientOrderId: ClientOrderId;
  readonly symbol: string;
  readonly filledQuantity: number;
  /** Trade ids of the fills already recorded (a fill seen twice is recorded once). */
  readonly tradeIds: readonly string[];
}

export interface KnownAccount {
  readonly account: string;
  readonly openOrders: readonly KnownOpenOrder[];
  /** Total per asset (free + held by orders), as the history computes it. */
  readonly balances: Readonly<Record<string, number>>;
}

export interface ReconcileOptions {
  /** Leave orders the history does not know open instead of cancelling them. Default false. */
  readonly adoptUnknownOrders?: boolean;
  /** Two totals closer than this (absolute) are equal. Default 1e-8. */
  readonly balanceTolerance?: number;
  /** A symbol's base and quote (from the exchange's markets): the missed fills' effect on balances is then expected. */
  readonly assetsOf?: (symbol: string) => MarketAssets | undefined;
}

export type ReconcileError =
  { readonly kind: 'ExchangeUnavailable'; readonly failure: ExchangeFailure } | { readonly kind: 'AppendFailed'; readonly error: AppendError };

export interface ReconcileDeps {
  readonly exchange: Exchange;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly actor: Actor;
}

const snapshot = (o: ExchangeOrder): ReconciledOrder =>
  ({
    clientOrderId: o.clientOrderId,
    exchangeOrderId: o.exchangeOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    status: o.status,
    quantity: o.quantity,
    filledQuantity: o.filledQuantity,
    ...(o.price === undefined ? {} : { price: o.price }),
    ...(o.stopPrice === undefined ? {} : { stopPrice: o.stopPrice }),
  }) as ReconciledOrder;

const newFills = (o: ExchangeOrder, known: KnownOpenOrder): ExchangeFill[] => {
  const seen = new Set(known.tradeIds);
  return o.fills.filter((f) => !seen.has(f.tradeId)).slice(0, RECONCILIATION_BOUNDS.fills);
};

const isOpen = (o: ExchangeOrder) => o.status === 'open' || o.status === 'partially_filled';

/**
 * The differences between the history and the exchange's answers, before any is acted on (pure). `lookedUp` holds the
 * exchange's answer for every known order that is not among the open ones: the order, or undefined when unknown there.
 */
export const compareWithExchange = (
  known: KnownAccount,
  exchangeOpen: readonly ExchangeOrder[],
  lookedUp: ReadonlyMap<string, ExchangeOrder | undefined>,
  exchangeBalances: Readonly<Record<string, { readonly total: number }>>,
  tolerance = 1e-8,
  assetsOf?: (symbol: string) => MarketAssets | undefined,
): ReconciliationDifference[] => {
  const out: ReconciliationDifference[] = [];
  const knownIds = new Map(known.openOrders.map((o) => [o.clientOrderId as string, o]));
  for (const o of exchangeOpen) {
    const k = knownIds.get(o.clientOrderId);
    if (k === undefined) {
      out.push({ kind: 'unknown_open_order', order: snapshot(o), resolution: 'adopted' });
      continue;
    }
    const missed = newFills(o, k);
    if (missed.length > 0 || o.filledQuantity > k.filledQuantity + tolerance)
      out.push({
        kind: 'fills_missed',
        clientOrderId: k.clientOrderId,
        symbol: k.symbol,
        order: snapshot(o),
        newFills: missed,
        resolution: 'record_fills',
      } as ReconciliationDifference);
  }
  const openIds = new Set(exchangeOpen.map((o) => o.clientOrderId as string));
  for (const k of known.openOrders) {
    if (openIds.has(k.clientOrderId)) continue;
    const o = lookedUp.get(k.clientOrderId);
    if (o === undefined) {
      out.push({ kind: 'order_not_on_exchange', clientOrderId: k.clientOrderId, symbol: k.symbol, resolution: 'record_rejected' });
    } else if (!isOpen(o)) {
      out.push({
        kind: 'order_ended',
        clientOrderId: k.clientOrderId,
        symbol: k.symbol,
        order: snapshot(o),
        newFills: newFills(o, k),
        resolution: 'record_outcome',
      } as ReconciliationDifference);
    }
    // Open on the exchange yet not in its open list: a list taken a moment earlier; the next reconciliation sees it.
  }
  const expectedBalances: Record<string, number> = { ...known.balances };
  if (assetsOf !== undefined)
    for (const d of out) {
      if (d.kind !== 'fills_missed' && d.kind !== 'order_ended') continue;
      const market = assetsOf(d.symbol);
      if (market !== undefined) for (const f of d.newFills) applyFill(expectedBalances, market, d.order.side, f);
    }
  const assets = [...new Set([...Object.keys(expectedBalances), ...Object.keys(exchangeBalances)])].sort();
  for (const asset of assets) {
    const expected = expectedBalances[asset] ?? 0;
    const actual = exchangeBalances[asset]?.total ?? 0;
    if (Math.abs(expected - actual) > tolerance)
      out.push({ kind: 'balance_mismatch', asset, expected, actual, resolution: 'adopt_exchange_balance' } as ReconciliationDifference);
  }
  return out;
};

/** Compares, resolves (cancels unknown orders unless adopted), records one ExchangeReconciled, and returns it. */
export const reconcileAtStart = async (
  deps: ReconcileDeps,
  known: KnownAccount,
  options: ReconcileOptions = {},
): Promise<Either<ReconcileError, ReconciliationEvent & { readonly type: 'ExchangeReconciled' }>> => {
  const { exchange } = deps;
  const unavailable = (failure: ExchangeFailure) => left<ReconcileError>({ kind: 'ExchangeUnavailable', failure });
  const open = await exchange.fetchOpenOrders()();
  if (isLeft(open)) return unavailable(open.left);
  const balances = await exchange.fetchBalances()();
  if (isLeft(balances)) return unavailable(balances.left);
  const openIds = new Set(open.right.map((o) => o.clientOrderId as string));
  const lookedUp = new Map<string, ExchangeOrder | undefined>();
  for (const k of known.openOrders) {
    if (openIds.has(k.clientOrderId)) continue;
    const o = await exchange.fetchOrder(k.symbol, k.clientOrderId)();
    if (isLeft(o) && o.left.code !== 'UNKNOWN_ORDER') return unavailable(o.left);
    lookedUp.set(k.clientOrderId, isLeft(o) ? undefined : o.right);
  }
  const compared = compareWithExchange(known, open.right, lookedUp, balances.right, options.balanceTolerance, options.assetsOf);
  const differences: ReconciliationDifference[] = [];
  for (const d of compared) {
    if (d.kind !== 'unknown_open_order' || options.adoptUnknownOrders === true) {
      differences.push(d);
      continue;
    }
    const cancelled = await exchange.cancelOrder(d.order.symbol, d.order.clientOrderId)();
    differences.push(
      isLeft(cancelled)
        ? { ...d, resolution: 'cancel_failed', failure: `${cancelled.left.code}: ${cancelled.left.message}`.slice(0, 2000) }
        : {
            ...d,
            order: snapshot(cancelled.right),
            resolution: cancelled.right.status === 'cancelled' ? 'cancelled' : 'cancel_failed',
            ...(cancelled.right.status === 'cancelled' ? {} : { failure: `the order ${cancelled.right.status} before it could be cancelled` }),
          },
    );
  }
  const at = deps.clock.now();
  const event = {
    type: 'ExchangeReconciled' as const,
    data: {
      exchange: exchange.id,
      account: known.account,
      at: at.getTime(),
      checked: { knownOpenOrders: known.openOrders.length, exchangeOpenOrders: open.right.length, assets: Object.keys(balances.right).length },
      differences: differences.slice(0, RECONCILIATION_BOUNDS.differences),
    },
  } as ReconciliationEvent & { readonly type: 'ExchangeReconciled' };
  const eventId = deps.ids.newId();
  const appended = await deps.store.appendToStream(
    exchangeStream(exchange.id),
    [{ eventId, type: event.type, data: event.data, metadata: eventMetadata({ actor: deps.actor }, at, eventId) }],
    { expectedRevision: 'any' },
  );
  if (isLeft(appended)) return left({ kind: 'AppendFailed', error: appended.left });
  return right(event);
};
