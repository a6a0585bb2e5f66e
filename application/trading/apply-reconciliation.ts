// The resolutions of a reconciliation (reconcile.ts), made facts on the order streams: what ExchangeReconciled says
// was found becomes the matching event on `order-<id>`, through the executor's recording paths (the one command
// handler with the order decider), so every rule holds — a fill is recorded once by its trade id, an ended order is
// not ended twice. Applying the same reconciliation again records nothing new.
// - fills_missed: the fills, as a poll would record them;
// - order_ended: the fills, then the end the exchange reports (filled by its fills, cancelled, expired);
// - order_not_on_exchange: rejected (the placement never arrived) — or, for an order the exchange had accepted and
//   no longer knows, cancelled by the exchange;
// - unknown_open_order and balance_mismatch: no order stream of ours; ExchangeReconciled is their record.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { orderStream } from '../../domain/execution/events.js';
import type { OrderCommand } from '../../domain/execution/order-commands.js';
import { orderDecider } from '../../domain/execution/order-decider.js';
import type { ReconciliationDifference, ReconciliationEvent } from '../../domain/execution/reconciliation-events.js';
import type { ClientOrderId } from '../../domain/execution/order.js';
import type { Actor, EpochMs } from '../../domain/primitives/codecs.js';
import { handleCommand, type CommandDeps } from '../commands/handle-command.js';
import type { ExchangeOrder } from '../ports/exchange.js';
import type { ExecutorError, Executor } from './executor.js';
import type { OrderListener } from './order-router.js';

export interface ApplyDeps extends CommandDeps {
  readonly executor: Executor;
  readonly listener: OrderListener;
  readonly actor: Actor;
}

/** One difference that could not be made an order event, and why (the rest are applied). */
export interface ApplyFailure {
  readonly clientOrderId: string;
  readonly kind: ReconciliationDifference['kind'];
  readonly error: ExecutorError;
}

type Reconciled = ReconciliationEvent & { readonly type: 'ExchangeReconciled' };
type WithOrder = Extract<ReconciliationDifference, { kind: 'fills_missed' | 'order_ended' }>;

/** The exchange's view of the order as the difference holds it, in the shape a poll gives the executor. */
const reportOf = (d: WithOrder, at: number): ExchangeOrder => ({
  ...d.order,
  averagePrice: NaN,
  createdAt: at,
  updatedAt: at,
  fills: d.newFills,
});

export const applyReconciliation = async (deps: ApplyDeps, reconciled: Reconciled): Promise<readonly ApplyFailure[]> => {
  const failures: ApplyFailure[] = [];
  const at = reconciled.data.at;
  for (const d of reconciled.data.differences) {
    if (d.kind === 'fills_missed' || d.kind === 'order_ended') {
      const applied = await deps.executor.applyReport(d.clientOrderId, reportOf(d, at));
      if (either.isLeft(applied)) failures.push({ clientOrderId: d.clientOrderId, kind: d.kind, error: applied.left });
    } else if (d.kind === 'order_not_on_exchange') {
      const ended = await neverArrived(deps, d.clientOrderId, at);
      if (either.isLeft(ended)) failures.push({ clientOrderId: d.clientOrderId, kind: d.kind, error: ended.left });
    }
  }
  return failures;
};

const NEVER_ARRIVED = 'the exchange does not know the order: the placement never arrived (found at reconciliation)';
const FORGOTTEN = 'the exchange no longer knows the order it had accepted (found at reconciliation)';

/** Rejected if it was being submitted; cancelled by the exchange if the exchange had accepted it. Nothing if ended. */
const neverArrived = async (deps: ApplyDeps, id: ClientOrderId, time: EpochMs): Promise<Either<ExecutorError, void>> => {
  const run = (command: OrderCommand) => handleCommand(deps, orderDecider, orderStream(id), command, { actor: deps.actor });
  const rejected = await run({ type: 'RejectOrder', clientOrderId: id, data: { code: 'UNKNOWN_ORDER', message: NEVER_ARRIVED, time } });
  if (either.isRight(rejected)) {
    if (rejected.right.events.length > 0)
      await deps.listener.onOrderEnded({ kind: 'rejected', clientOrderId: id, code: 'UNKNOWN_ORDER', message: NEVER_ARRIVED });
    return either.right(undefined);
  }
  if (rejected.left.kind !== 'IllegalTransition' || (rejected.left.state !== 'Accepted' && rejected.left.state !== 'PartiallyFilled')) {
    // Already ended (a second start): nothing to record.
    return rejected.left.kind === 'IllegalTransition' ? either.right(undefined) : either.left(rejected.left);
  }
  const cancelled = await run({ type: 'CancelOrder', clientOrderId: id, data: { by: 'exchange', reason: FORGOTTEN, time } });
  if (either.isLeft(cancelled)) return either.left(cancelled.left);
  if (cancelled.right.events.length > 0) await deps.listener.onOrderEnded({ kind: 'cancelled', clientOrderId: id, reason: FORGOTTEN });
  return either.right(undefined);
};
