// The seam between the executor and the risk rules: every order is checked before it is recorded as placed, and a
// refusal names the rule and the numbers (the executor records it as an event). The rules themselves are pure
// functions in domain/risk/; the gate holds the account state they read (positions, equity, the day's P&L, kill
// switches), kept up to date from fills and prices.
import type { Either } from 'fp-ts/lib/Either.js';
import type { OrderSpec } from '../../domain/execution/order.js';

export interface PreTradeOrder {
  /** The trading account (a paper session or a live account) the order belongs to. */
  readonly account: string;
  readonly strategyId?: string;
  readonly exchange: string;
  readonly spec: OrderSpec;
  /** The price the order is judged at (last close for a market order; its own price or stop otherwise). */
  readonly referencePrice: number;
  /** Epoch ms, from the clock port (replay or real). */
  readonly time: number;
}

export interface RiskRefusal {
  /** The rule's name: `max_position_size`, `max_symbol_exposure`, `daily_loss_limit`, `kill_switch`, … */
  readonly rule: string;
  /** The limit and the figure the order would reach, in the rule's unit (stated in `message`). */
  readonly limit: number;
  readonly actual: number;
  readonly message: string;
}

export interface RiskGate {
  check(order: PreTradeOrder): Either<RiskRefusal, void>;
}
