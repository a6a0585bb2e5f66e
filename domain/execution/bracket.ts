// Brackets as a process over order streams: an entry carries its protective exits (stop-loss, take-profit) in its
// OrderPlaced; when the entry has filled — or ended after filling part — the exits are placed on their own streams for
// the quantity it filled, and the first exit to fill cancels the others of its OCO group.
import type { OrderRequest } from './events.js';
import type { MarketRules } from './market-rules.js';
import type { ClientOrderId, OrderSpec, Positive } from './order.js';
import type { OrderState } from './order-state.js';
import { floorToStep } from './validate-order.js';

/** The exits to place now that the entry has ended with a fill; none while it is live or if it filled nothing. */
export const bracketExits = (entry: OrderState, rules: MarketRules | undefined): readonly OrderRequest[] => {
  if (entry.status !== 'Filled' && entry.status !== 'Cancelled' && entry.status !== 'Expired') return [];
  const { request, filledQuantity, fees } = entry.order;
  if (request.bracket === undefined || filledQuantity <= 0) return [];
  // A protective order never covers more than the entry left: its fill less a fee paid in the base currency (Binance's
  // default), down to the lot step (it may then be below the minimum, and its validation records why).
  const held = request.spec.side === 'buy' && rules !== undefined ? filledQuantity - (fees[rules.base] ?? 0) : filledQuantity;
  const quantity = (rules === undefined ? held : floorToStep(held, rules.amountStep)) as Positive;
  return request.bracket.children.map((child): OrderRequest => ({
    account: request.account,
    exchange: request.exchange,
    ...(request.strategyId !== undefined ? { strategyId: request.strategyId } : {}),
    parentOrderId: request.spec.clientOrderId,
    spec: { ...child, quantity } satisfies OrderSpec,
  }));
};

/** The other exits of the OCO group of `filled`, named in the entry's bracket. */
export const ocoSiblings = (entry: OrderRequest, filled: ClientOrderId): readonly ClientOrderId[] =>
  (entry.bracket?.children ?? []).map((c) => c.clientOrderId).filter((id) => id !== filled);
