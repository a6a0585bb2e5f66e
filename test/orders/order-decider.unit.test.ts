// The order rules as specifications: the whole state × command matrix (what each pair records, ignores or refuses,
// written out by hand), the validation of a request field by field, fills (totals, duplicates, overfills), and a
// property: random command sequences never fill beyond the quantity, never fill after the end, never place twice.
import { expect } from 'chai';
import fc from 'fast-check';
import { either } from 'fp-ts';
import type * as t from 'io-ts';
import { EVENT_CATALOG } from '../../domain/events/catalog.js';
import { OrderRequest, type Execution, type OrderEvent } from '../../domain/execution/events.js';
import { MarketRules } from '../../domain/execution/market-rules.js';
import { ORDER_COMMAND_TYPES, type OrderCommand, type OrderCommandType } from '../../domain/execution/order-commands.js';
import { orderDecider } from '../../domain/execution/order-decider.js';
import type { OrderStatus } from '../../domain/execution/order-state.js';
import type { ClientOrderId, Positive } from '../../domain/execution/order.js';
import type { EpochMs, Finite } from '../../domain/primitives/codecs.js';
import { decodeExact } from '../../domain/primitives/exact.js';
import { spec } from '../domain/decider-spec.js';

const valid = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): A => {
  const decoded = codec.decode(value);
  if (either.isLeft(decoded)) throw new Error(`invalid fixture for ${codec.name}`);
  return decoded.right;
};
const id = 'mt-entry-1' as ClientOrderId;
const T0 = 1_700_000_000_000 as EpochMs;
const at = (ms: number) => (T0 + ms) as EpochMs;
const p = (n: number) => n as Positive;

const rules = valid(MarketRules, { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', amountStep: 0.001, priceTick: 0.01, minAmount: 0.001, minNotional: 5 });
const requestOf = (specFields: Record<string, unknown>, extra: Record<string, unknown> = {}): OrderRequest =>
  valid(OrderRequest, {
    account: 'paper-1',
    exchange: 'binance',
    strategyId: 'strategy-7',
    spec: { clientOrderId: id, symbol: 'BTCUSDT', side: 'buy', ...specFields },
    ...extra,
  });
const limitBuy = requestOf({ type: 'limit', quantity: 1, price: 30000 });
const stopSell = requestOf({ type: 'stop_market', side: 'sell', quantity: 1, stopPrice: 29000, reduceOnly: true });
const native: Execution = { mode: 'native' };
const emulated: Execution = { mode: 'emulated', submitsAs: 'market', why: 'binance has no native stop_market order' };

// (null: the venue does not list the symbol — undefined would take the default.)
const place = (request: OrderRequest, execution: Execution = native, referencePrice = 30000, r: MarketRules | null = rules): OrderCommand => ({
  type: 'PlaceOrder',
  clientOrderId: request.spec.clientOrderId,
  data: { request, execution, rules: r ?? undefined, referencePrice, time: T0 },
});
const refusal = { rule: 'max_position_size', limit: 0.5 as Finite, actual: 1 as Finite, message: 'the position would reach 1 BTC, above 0.5 BTC' };
const refuse: OrderCommand = { type: 'RefuseOrder', clientOrderId: id, data: { request: limitBuy, refusal, time: T0 } };
const trigger: OrderCommand = { type: 'TriggerOrder', clientOrderId: id, data: { triggerPrice: p(29000), time: at(60_000) } };
const accept: OrderCommand = { type: 'AcceptOrder', clientOrderId: id, data: { exchangeOrderId: 'X1', time: at(100) } };
const fillCmd = (tradeId: string, quantity: number, price = 30000, orderComplete = false): OrderCommand => ({
  type: 'RecordFill',
  clientOrderId: id,
  data: { tradeId, price: p(price), quantity: p(quantity), fee: 0 as never, feeCurrency: 'BTC', liquidity: 'maker', time: at(1000), orderComplete },
});
const cancel: OrderCommand = { type: 'CancelOrder', clientOrderId: id, data: { by: 'operator', reason: 'changed my mind', time: at(2000) } };
const reject: OrderCommand = {
  type: 'RejectOrder',
  clientOrderId: id,
  data: { code: 'INSUFFICIENT_FUNDS', message: 'Account has insufficient balance', time: at(200) },
};
const expire: OrderCommand = { type: 'ExpireOrder', clientOrderId: id, data: { reason: 'IOC', time: at(300) } };

// ---- histories (events written by hand, as the store would hold them) ----------------------------------------
const placed = (request: OrderRequest, execution: Execution = native): OrderEvent => ({
  type: 'OrderPlaced',
  data: { ...request, clientOrderId: id, execution, time: T0 },
});
const fillEvent = (
  type: 'OrderFilled' | 'OrderPartiallyFilled',
  tradeId: string,
  quantity: number,
  cumulative: number,
  average: number,
  price = 30000,
): OrderEvent => ({
  type,
  data: {
    clientOrderId: id,
    tradeId,
    price: p(price),
    quantity: p(quantity),
    fee: 0 as never,
    feeCurrency: 'BTC',
    liquidity: 'maker',
    time: at(1000),
    cumulativeQuantity: p(cumulative),
    averagePrice: p(average),
  },
});
const ev = {
  placed: placed(limitBuy),
  held: placed(stopSell, emulated),
  triggered: { type: 'OrderTriggered', data: { clientOrderId: id, triggerPrice: p(29000), time: at(60_000), submitsAs: 'market' } } as OrderEvent,
  accepted: { type: 'OrderAccepted', data: { clientOrderId: id, exchangeOrderId: 'X1', time: at(100) } } as OrderEvent,
  partial: fillEvent('OrderPartiallyFilled', 't1', 0.4, 0.4, 30000),
  filled: fillEvent('OrderFilled', 't2', 0.6, 1, 30000),
  cancelled: { type: 'OrderCancelled', data: { clientOrderId: id, by: 'operator', reason: 'changed my mind', time: at(2000) } } as OrderEvent,
  rejected: {
    type: 'OrderRejected',
    data: { clientOrderId: id, rejection: { by: 'exchange', code: 'INSUFFICIENT_FUNDS', message: 'Account has insufficient balance' }, time: at(200) },
  } as OrderEvent,
  refused: { type: 'OrderRejected', data: { clientOrderId: id, rejection: { by: 'risk', ...refusal }, time: T0, order: limitBuy } } as OrderEvent,
  expired: { type: 'OrderExpired', data: { clientOrderId: id, reason: 'IOC', time: at(300) } } as OrderEvent,
};

type Row = 'Initial' | 'Held' | 'Placed' | 'Triggered' | 'Accepted' | 'PartiallyFilled' | 'Filled' | 'Cancelled' | 'Rejected' | 'Refused' | 'Expired';
const HISTORY: Readonly<Record<Row, readonly OrderEvent[]>> = {
  Initial: [],
  Held: [ev.held],
  Placed: [ev.placed],
  Triggered: [ev.held, ev.triggered],
  Accepted: [ev.placed, ev.accepted],
  PartiallyFilled: [ev.placed, ev.accepted, ev.partial],
  Filled: [ev.placed, ev.accepted, ev.partial, ev.filled],
  Cancelled: [ev.placed, ev.accepted, ev.cancelled],
  Rejected: [ev.placed, ev.rejected],
  Refused: [ev.refused],
  Expired: [ev.placed, ev.accepted, ev.expired],
};
/** The placement each row was made with (a placement of the same request is a no-op). */
const PLACE_AGAIN: Readonly<Record<Row, OrderCommand>> = {
  ...Object.fromEntries(Object.keys(HISTORY).map((r) => [r, place(limitBuy)])),
  Held: place(stopSell, emulated),
  Triggered: place(stopSell, emulated),
} as Record<Row, OrderCommand>;
const REFUSE_AGAIN: Readonly<Record<Row, OrderCommand>> = {
  ...Object.fromEntries(Object.keys(HISTORY).map((r) => [r, refuse])),
  Held: { ...refuse, data: { ...(refuse.data as object), request: stopSell } },
  Triggered: { ...refuse, data: { ...(refuse.data as object), request: stopSell } },
} as Record<Row, OrderCommand>;
const COMMAND = (row: Row): Readonly<Record<OrderCommandType, OrderCommand>> => ({
  PlaceOrder: PLACE_AGAIN[row],
  RefuseOrder: REFUSE_AGAIN[row],
  TriggerOrder: trigger,
  AcceptOrder: accept,
  RecordFill: fillCmd('t9', 0.1),
  CancelOrder: cancel,
  RejectOrder: reject,
  ExpireOrder: expire,
});

// What each pair does, by hand: an event type recorded, '-' nothing (idempotent), or the error's kind.
const U = 'UnknownOrder';
const I = 'IllegalTransition';
const E = 'FillAfterEnd';
const MATRIX: Readonly<Record<Row, readonly string[]>> = {
  //               Place          Refuse           Trigger           Accept           RecordFill               Cancel            Reject           Expire
  Initial: ['OrderPlaced', 'OrderRejected', U, U, U, U, U, U],
  Held: ['-', '-', 'OrderTriggered', I, 'FillBeforeSubmission', 'OrderCancelled', I, 'OrderExpired'],
  Placed: ['-', '-', I, 'OrderAccepted', 'OrderPartiallyFilled', 'OrderCancelled', 'OrderRejected', 'OrderExpired'],
  Triggered: ['-', '-', '-', 'OrderAccepted', 'OrderPartiallyFilled', 'OrderCancelled', 'OrderRejected', 'OrderExpired'],
  Accepted: ['-', '-', I, '-', 'OrderPartiallyFilled', 'OrderCancelled', I, 'OrderExpired'],
  PartiallyFilled: ['-', '-', I, '-', 'OrderPartiallyFilled', 'OrderCancelled', I, 'OrderExpired'],
  Filled: ['-', '-', I, '-', E, I, I, I],
  Cancelled: ['-', '-', I, '-', E, '-', I, I],
  Rejected: ['-', '-', I, I, E, I, '-', I],
  Refused: ['-', '-', I, I, E, I, '-', I],
  Expired: ['-', '-', I, '-', E, I, I, '-'],
};

const decideAfter = (history: readonly OrderEvent[], command: OrderCommand) =>
  orderDecider.decide(command, history.reduce(orderDecider.evolve, orderDecider.initialState()));
const order = spec(orderDecider);

describe('the order decider', () => {
  describe(`the state × command matrix (${Object.keys(MATRIX).length} × ${ORDER_COMMAND_TYPES.length})`, () => {
    for (const [row, expected] of Object.entries(MATRIX) as [Row, readonly string[]][])
      for (const [i, type] of ORDER_COMMAND_TYPES.entries())
        it(`${row} + ${type} → ${expected[i]}`, () => {
          const outcome = decideAfter(HISTORY[row], COMMAND(row)[type]);
          const got = either.isLeft(outcome) ? outcome.left.kind : outcome.right.length === 0 ? '-' : outcome.right.map((e) => e.type).join(',');
          expect(got).to.equal(expected[i]);
          // Whatever is recorded reads back through the catalog's codec, exactly.
          if (either.isRight(outcome))
            for (const e of outcome.right)
              expect(either.isRight(decodeExact(EVENT_CATALOG[e.type]!, JSON.parse(JSON.stringify(e.data)))), e.type).to.equal(true);
        });
  });

  describe('placing', () => {
    it('records the request, how it is executed and when', () => order.given([]).when(place(limitBuy)).then([ev.placed]));
    it('the same client order id with another spec is an error, not a second order', () =>
      order
        .given([ev.placed])
        .when(place(requestOf({ type: 'limit', quantity: 1, price: 30001 })))
        .thenFails({ kind: 'DuplicateClientOrderId' }));
    it('the same request with its keys in another order is the same order (a no-op)', () =>
      order
        .given([ev.placed])
        .when(place(valid(OrderRequest, { spec: limitBuy.spec, strategyId: 'strategy-7', exchange: 'binance', account: 'paper-1' })))
        .thenNothingHappened());
    it('a risk refusal is the order rejected by the rule, with its numbers and the request', () => order.given([]).when(refuse).then([ev.refused]));
    it('an emulated stop_limit triggers into a limit at its price', () => {
      const stopLimit = requestOf({ type: 'stop_limit', side: 'sell', quantity: 1, stopPrice: 29000, price: 28900 });
      const asLimit: Execution = { mode: 'emulated', submitsAs: 'limit', why: 'no native stop_limit' };
      order
        .given([placed(stopLimit, asLimit)])
        .when(trigger)
        .then([{ type: 'OrderTriggered', data: { clientOrderId: id, triggerPrice: p(29000), time: at(60_000), submitsAs: 'limit', limitPrice: p(28900) } }]);
    });
  });

  describe('bad requests are recorded as rejected by validation, naming the field', () => {
    const rejectedAt =
      (request: OrderRequest, field: string, referencePrice = 30000, r: MarketRules | null = rules) =>
      () => {
        const outcome = decideAfter([], place(request, native, referencePrice, r));
        if (either.isLeft(outcome)) return expect.fail(`refused: ${JSON.stringify(outcome.left)}`);
        expect(outcome.right).to.have.length(1);
        const [e] = outcome.right;
        expect(e!.type).to.equal('OrderRejected');
        const data = e!.data as { rejection: { by: string; field: string }; order: unknown };
        expect(data.rejection.by).to.equal('validation');
        expect(data.rejection.field).to.equal(field);
        expect(data.order).to.deep.equal(request);
      };
    it('an unknown symbol', rejectedAt(limitBuy, 'spec.symbol', 30000, null));
    it('a limit order without a price', rejectedAt(requestOf({ type: 'limit', quantity: 1 }), 'spec.price'));
    it('a market order with a price', rejectedAt(requestOf({ type: 'market', quantity: 1, price: 30000 }), 'spec.price'));
    it('a stop_market without a stop price', rejectedAt(requestOf({ type: 'stop_market', quantity: 1 }), 'spec.stopPrice'));
    it('a stop_limit without its limit price', rejectedAt(requestOf({ type: 'stop_limit', quantity: 1, stopPrice: 29000 }), 'spec.price'));
    it('a take_profit without a price', rejectedAt(requestOf({ type: 'take_profit', side: 'sell', quantity: 1, reduceOnly: true }), 'spec.price'));
    it('a take_profit that is not reduceOnly', rejectedAt(requestOf({ type: 'take_profit', side: 'sell', quantity: 1, price: 31000 }), 'spec.reduceOnly'));
    it('a trailing_stop without its trail', rejectedAt(requestOf({ type: 'trailing_stop', side: 'sell', quantity: 1, reduceOnly: true }), 'spec.trailing'));
    it(
      'a trailing percent of 100% or more',
      rejectedAt(
        requestOf({ type: 'trailing_stop', side: 'sell', quantity: 1, reduceOnly: true, trailing: { kind: 'percent', value: 1.5 } }),
        'spec.trailing.value',
      ),
    );
    it('both quantity and quoteQuantity', rejectedAt(requestOf({ type: 'market', quantity: 1, quoteQuantity: 100 }), 'spec.quoteQuantity'));
    it('neither quantity nor quoteQuantity', rejectedAt(requestOf({ type: 'market' }), 'spec.quantity'));
    it('a quoteQuantity on a limit order', rejectedAt(requestOf({ type: 'limit', quoteQuantity: 100, price: 30000 }), 'spec.quoteQuantity'));
    it('a price off the tick (0.01)', rejectedAt(requestOf({ type: 'limit', quantity: 1, price: 30000.005 }), 'spec.price'));
    it('a stop price off the tick', rejectedAt(requestOf({ type: 'stop_market', quantity: 1, stopPrice: 29000.001 }), 'spec.stopPrice'));
    it('a quantity off the lot step (0.001)', rejectedAt(requestOf({ type: 'limit', quantity: 0.0015, price: 30000 }), 'spec.quantity'));
    it('a notional below the minimum (0.001 × 3000 = 3 < 5)', rejectedAt(requestOf({ type: 'limit', quantity: 0.001, price: 3000 }), 'spec.quantity'));
    it(
      'a market order whose notional at the reference price is below the minimum',
      rejectedAt(requestOf({ type: 'market', quantity: 0.001 }), 'spec.quantity', 4000),
    );
    it('a quote quantity below the minimum notional', rejectedAt(requestOf({ type: 'market', quoteQuantity: 4.99 }), 'spec.quoteQuantity'));
    it('a market order at a reference price that is not a number', rejectedAt(requestOf({ type: 'market', quantity: 1 }), 'referencePrice', NaN));
    it(
      'a bracket exit on the same side as its entry',
      rejectedAt(
        requestOf(
          { type: 'limit', quantity: 1, price: 30000 },
          {
            bracket: {
              ocoGroup: 'g1',
              children: [{ clientOrderId: 'mt-sl-1', symbol: 'BTCUSDT', side: 'buy', type: 'stop_market', stopPrice: 29000, reduceOnly: true, ocoGroup: 'g1' }],
            },
          },
        ),
        'bracket.children.0.side',
      ),
    );
    it(
      'a bracket exit with a quantity of its own',
      rejectedAt(
        requestOf(
          { type: 'limit', quantity: 1, price: 30000 },
          {
            bracket: {
              ocoGroup: 'g1',
              children: [
                {
                  clientOrderId: 'mt-sl-1',
                  symbol: 'BTCUSDT',
                  side: 'sell',
                  type: 'stop_market',
                  stopPrice: 29000,
                  reduceOnly: true,
                  ocoGroup: 'g1',
                  quantity: 1,
                },
              ],
            },
          },
        ),
        'bracket.children.0.quantity',
      ),
    );
    it('a valid order at the edges is placed (quantity 0.001 × 5000 = the minimum notional 5; 0.3 = 3 × 0.1 steps)', () => {
      expect(decideAfter([], place(requestOf({ type: 'limit', quantity: 0.001, price: 5000 })))).to.satisfy(
        (d: ReturnType<typeof decideAfter>) => either.isRight(d) && d.right[0]!.type === 'OrderPlaced',
      );
      const tenth = { ...rules, amountStep: 0.1 as Positive };
      expect(decideAfter([], place(requestOf({ type: 'limit', quantity: 0.3, price: 30000 }), native, 30000, tenth))).to.satisfy(
        (d: ReturnType<typeof decideAfter>) => either.isRight(d) && d.right[0]!.type === 'OrderPlaced',
      );
    });
  });

  describe('fills', () => {
    it('add up: 0.4 @ 30000 then 0.6 @ 30100 fill the order at an average of 30060', () =>
      order
        .given([ev.placed, ev.accepted, ev.partial])
        .when(fillCmd('t2', 0.6, 30100))
        .then([fillEvent('OrderFilled', 't2', 0.6, 1, 30060, 30100)]));
    it('a fill seen again (same trade id) is recorded once', () =>
      order.given([ev.placed, ev.accepted, ev.partial]).when(fillCmd('t1', 0.4)).thenNothingHappened());
    it('a duplicate fill after the order filled is still a no-op, not an error', () =>
      order.given(HISTORY.Filled).when(fillCmd('t2', 0.6)).thenNothingHappened());
    it('a fill beyond the quantity is an overfill, with the numbers', () =>
      order
        .given([ev.placed, ev.accepted, ev.partial])
        .when(fillCmd('t3', 0.7))
        .thenFails({ kind: 'Overfill', ordered: 1, cumulative: 0.4 + 0.7 }));
    it('a fill for an order never placed is an UnknownOrder', () => order.given([]).when(fillCmd('t1', 0.1)).thenFails({ kind: 'UnknownOrder' }));
    it('a quote-quantity order is filled when the exchange says so, and cannot spend more than its quote quantity', () => {
      const quote = requestOf({ type: 'market', quoteQuantity: 1000 });
      const given = [placed(quote), ev.accepted];
      order
        .given(given)
        .when(fillCmd('q1', 0.02, 30000, false))
        .then([{ ...fillEvent('OrderPartiallyFilled', 'q1', 0.02, 0.02, 30000) }]);
      order
        .given(given)
        .when(fillCmd('q1', 0.0333, 30000, true))
        .then([{ ...fillEvent('OrderFilled', 'q1', 0.0333, 0.0333, 30000) }]);
      order
        .given(given)
        .when(fillCmd('q1', 0.034, 30000, true))
        .thenFails({ kind: 'Overfill' });
    });
  });

  describe('property: random command sequences', () => {
    const arbCommand: fc.Arbitrary<OrderCommand> = fc.oneof(
      fc.constantFrom(
        place(limitBuy),
        place(requestOf({ type: 'limit', quantity: 2, price: 30000 })),
        place(stopSell, emulated),
        refuse,
        trigger,
        accept,
        cancel,
        reject,
        expire,
      ),
      fc
        .record({ trade: fc.integer({ min: 1, max: 6 }), q: fc.integer({ min: 1, max: 8 }), complete: fc.boolean() })
        .map(({ trade, q, complete }) => fillCmd(`t${trade}`, q / 10, 30000, complete)),
    );
    it('never fill beyond the quantity, never fill after the end, never two placements under one id; every event reads back', () => {
      fc.assert(
        fc.property(fc.array(arbCommand, { maxLength: 30 }), (commands) => {
          let state = orderDecider.initialState();
          const log: OrderEvent[] = [];
          for (const c of commands) {
            const d = orderDecider.decide(c, state);
            if (either.isLeft(d)) continue;
            for (const e of d.right) {
              log.push(e);
              state = orderDecider.evolve(state, e);
            }
          }
          // Checked on the log alone, by a plain reading of it (not by the decider's state).
          const placements = log.filter((e) => e.type === 'OrderPlaced' || (e.type === 'OrderRejected' && 'order' in e.data && e.data.order !== undefined));
          expect(placements.length).to.be.at.most(1);
          let ended = false;
          let filled = 0;
          const trades = new Set<string>();
          const ordered = placements[0]?.type === 'OrderPlaced' ? placements[0].data.spec.quantity : undefined;
          for (const e of log) {
            if (e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled') {
              expect(ended, 'a fill after the end').to.equal(false);
              expect(trades.has(e.data.tradeId), 'a trade recorded twice').to.equal(false);
              trades.add(e.data.tradeId);
              filled += e.data.quantity;
              if (ordered !== undefined) expect(filled).to.be.at.most(ordered * (1 + 1e-9));
            }
            if (e.type === 'OrderFilled' || e.type === 'OrderCancelled' || e.type === 'OrderRejected' || e.type === 'OrderExpired') ended = true;
            expect(either.isRight(decodeExact(EVENT_CATALOG[e.type]!, JSON.parse(JSON.stringify(e.data)))), e.type).to.equal(true);
          }
          const status: OrderStatus = state.status;
          if (ordered !== undefined && Math.abs(filled - ordered) < 1e-9) expect(status).to.equal('Filled');
        }),
        { seed: 20261110, numRuns: 2000 },
      );
    });
  });
});
