// A position and its P&L by the average-cost method, one fill at a time: the arithmetic the positions projection
// folds every order fill with, kept pure so that hand-worked cases can pin it down (doc/positions.md says why).
//
// - The quantity is signed: above zero long, below zero short.
// - `averagePrice` is the cost basis per unit, fees included: an opening fill's fee is added to what a long cost
//   (so it raises the average price) and taken from what a short raised (so it lowers it). A position's unrealised
//   P&L at any mark therefore already carries the fees paid to open it.
// - A fill against the position (a sell into a long, a buy into a short) realises P&L on the part it closes:
//   (price − averagePrice) × closed for a long, (averagePrice − price) × closed for a short, minus that part's fee.
//   The average price of what remains does not change (that is the average-cost method).
// - A fill larger than the position flips it through zero: the closing part realises as above, the rest opens a
//   new position at the fill's price; the fill's fee is split between the two parts in proportion to quantity.
// - Fees are in the quote currency here (fee.ts converts a fee charged in the base asset).

export interface Position {
  /** Signed: > 0 long, < 0 short, 0 flat. */
  readonly quantity: number;
  /** Cost basis per unit including the opening fees; 0 when flat. */
  readonly averagePrice: number;
}

export const FLAT: Position = { quantity: 0, averagePrice: 0 };

export interface PositionFill {
  readonly side: 'buy' | 'sell';
  /** > 0. */
  readonly quantity: number;
  /** > 0. */
  readonly price: number;
  /** In the quote currency, ≥ 0 (a negative fee is a rebate and works the same way). */
  readonly fee: number;
}

export interface FillOutcome {
  readonly position: Position;
  /** P&L realised by this fill, its closing part's fee deducted (0 for a fill that only opens or adds). */
  readonly realisedPnl: number;
  /** How much of the position the fill closed (0 to |quantity before|). */
  readonly closedQuantity: number;
}

/**
 * A quantity this close to zero, relative to the quantities involved, is zero: binary floating point leaves dust
 * such as 0.30000000000000004 − 0.1 − 0.2, and a position must not stay open on it.
 */
const DUST = 1e-9;

export const applyFill = (before: Position, fill: PositionFill): FillOutcome => {
  const q = before.quantity;
  const d = fill.side === 'buy' ? fill.quantity : -fill.quantity;
  const size = Math.abs(d);
  if (q === 0 || Math.sign(q) === Math.sign(d)) {
    // Opening or adding: the fee joins the cost basis (raises a long's, lowers a short's).
    const after = q + d;
    const direction = Math.sign(after);
    const basis = before.averagePrice * Math.abs(q) + fill.price * size + direction * fill.fee;
    return { position: { quantity: after, averagePrice: basis / Math.abs(after) }, realisedPnl: 0, closedQuantity: 0 };
  }
  const held = Math.abs(q);
  const closing = Math.min(size, held);
  const closingFee = (fill.fee * closing) / size;
  const realisedPnl = Math.sign(q) * (fill.price - before.averagePrice) * closing - closingFee;
  const opening = size - held;
  if (Math.abs(opening) <= DUST * Math.max(size, held)) return { position: FLAT, realisedPnl, closedQuantity: held };
  if (opening < 0) return { position: { quantity: q + d, averagePrice: before.averagePrice }, realisedPnl, closedQuantity: closing };
  // Through zero: what is left of the fill opens the other way at its price, with the rest of its fee.
  const direction = Math.sign(d);
  const averagePrice = (fill.price * opening + direction * (fill.fee - closingFee)) / opening;
  return { position: { quantity: direction * opening, averagePrice }, realisedPnl, closedQuantity: held };
};

/** Unrealised P&L of a position marked at `mark`: what closing it there (before the closing fee) would realise. */
export const unrealisedPnl = (position: Position, mark: number): number => (position.quantity === 0 ? 0 : (mark - position.averagePrice) * position.quantity);
