// No sequence of signals, fills and price moves gets an order past a limit. Random sequences of order attempts (any
// size, side, symbol, sometimes flagged reduce-only), fills of approved orders at moving prices, cancellations,
// price moves over days, and the manual kill switch engaged and released, run through the gate; a plain reference
// written here (whole sums recomputed each time, not the gate's incremental figures) judges every approval:
// - an opening order is approved only within the position size, symbol and portfolio exposure and open-position
//   limits, counting every open order as filled;
// - no opening order is approved while a kill switch holds or after the daily loss limit tripped that UTC day;
// - an order that only reduces a position is always approved (the kill switch's closing orders among them);
// - every refusal is recorded on the risk stream; the gate's equity is the reference's.
import { expect } from 'chai';
import fc from 'fast-check';
import { either } from 'fp-ts';
import type { RiskEvent } from '../../domain/risk/events.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import type { OrderSpec } from '../../domain/execution/order.js';
import { AccountRiskGate, type RiskAction } from '../../application/trading/risk-gate.js';
import { memoryRiskStream } from './memory-risk-stream.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT'] as const;
const START_PRICE: Record<string, number> = { BTCUSDT: 50_000, ETHUSDT: 2_000, SOLUSDT: 100, XRPUSDT: 0.5 };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2024, 2, 1);
const FEE = 0.001;
const EPS = 1e-9;

type Step =
  | { kind: 'order'; symbol: number; buy: boolean; notional: number; reduceOnly: boolean; reduceShare: number }
  | { kind: 'fill'; pick: number; share: number; move: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'price'; symbol: number; move: number; hours: number }
  | { kind: 'manual'; engage: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      symbol: fc.nat(3),
      buy: fc.boolean(),
      notional: fc.double({ min: 10, max: 8_000, noNaN: true }),
      reduceOnly: fc.boolean(),
      reduceShare: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('fill' as const),
      pick: fc.nat(),
      share: fc.double({ min: 0.1, max: 1, noNaN: true }),
      move: fc.double({ min: -0.02, max: 0.02, noNaN: true }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('price' as const),
      symbol: fc.nat(3),
      move: fc.integer({ min: -30, max: 25 }).map((p) => p / 100),
      hours: fc.nat(10),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('manual' as const), engage: fc.boolean() }) },
);

const limitsArb = fc.record({
  maxPositionNotional: fc.double({ min: 1_000, max: 20_000, noNaN: true }),
  maxSymbolExposure: fc.double({ min: 0.1, max: 1, noNaN: true }),
  maxPortfolioExposure: fc.double({ min: 0.2, max: 2, noNaN: true }),
  maxOpenPositions: fc.integer({ min: 0, max: 4 }).map((n) => (n === 0 ? 0 : n)),
  dailyLossLimit: fc.double({ min: 0.01, max: 0.1, noNaN: true }),
  maxDrawdown: fc.double({ min: 0.03, max: 0.3, noNaN: true }),
}) as fc.Arbitrary<RiskLimits>;

interface RefOrder {
  readonly id: string;
  readonly symbol: string;
  readonly sign: 1 | -1;
  remaining: number;
  readonly reducing: boolean;
}

/** The reference: plain sums, recomputed each time. */
class Reference {
  cash = 10_000;
  readonly position = new Map<string, number>();
  readonly mark = new Map<string, number>(Object.entries(START_PRICE));
  readonly open: RefOrder[] = [];
  peak = 10_000;
  day = -1;
  dayStart = 10_000;
  drawdownHalt: boolean | 'ambiguous' = false;
  dailyHaltDay = -1;
  dailyAmbiguousDay = -1;
  manual = false;

  equity(): number {
    let e = this.cash;
    for (const [s, q] of this.position) e += q * this.mark.get(s)!;
    return e;
  }
  pos(s: string) {
    return this.position.get(s) ?? 0;
  }
  worstCase(s: string, extra?: { sign: 1 | -1; quantity: number }): number {
    let up = this.pos(s);
    let down = this.pos(s);
    for (const o of this.open)
      if (o.symbol === s) {
        if (o.sign === 1) up += o.remaining;
        else down -= o.remaining;
      }
    if (extra) {
      if (extra.sign === 1) up += extra.quantity;
      else down -= extra.quantity;
    }
    return Math.max(Math.abs(up), Math.abs(down));
  }
  isOpen(s: string) {
    return Math.abs(this.pos(s)) > 1e-12 || this.open.some((o) => o.symbol === s);
  }
  /** After a fill or a price: the new day starts from the equity before it; then the peak and the two trips. */
  roll(time: number) {
    const d = Math.floor(time / DAY);
    if (d !== this.day) [this.day, this.dayStart] = [d, this.equity()];
  }
  watch(limits: RiskLimits) {
    const e = this.equity();
    this.peak = Math.max(this.peak, e);
    const dd = e < this.peak ? (this.peak - e) / this.peak : 0;
    if (this.drawdownHalt === false) this.drawdownHalt = dd >= limits.maxDrawdown + EPS ? true : dd >= limits.maxDrawdown - EPS ? 'ambiguous' : false;
    const loss = e < this.dayStart ? (this.dayStart - e) / this.dayStart : 0;
    if (this.dailyHaltDay !== this.day && this.dailyAmbiguousDay !== this.day) {
      if (loss >= limits.dailyLossLimit + EPS) this.dailyHaltDay = this.day;
      else if (loss >= limits.dailyLossLimit - EPS) this.dailyAmbiguousDay = this.day;
    }
  }
  /** true: halted; false: not; undefined: too close to a threshold to say. */
  halted(time: number): boolean | undefined {
    const d = Math.floor(time / DAY);
    if (this.manual || this.drawdownHalt === true || this.dailyHaltDay === d) return true;
    if (this.drawdownHalt === 'ambiguous' || this.dailyAmbiguousDay === d) return undefined;
    return false;
  }
}

const run = (limits: RiskLimits, steps: readonly Step[]) => {
  const stream = memoryRiskStream();
  const gate = new AccountRiskGate({ account: 'acc', exchange: 'binance', cash: 10_000, defaultLimits: limits, record: stream.record });
  const ref = new Reference();
  let time = T0 + 9 * HOUR;
  let n = 0;
  let refusals = 0;
  for (const s of SYMBOLS) gate.onPrice(s, START_PRICE[s]!, time);

  const attempt = (symbol: string, sign: 1 | -1, quantity: number, reduceOnly: boolean, why: string) => {
    const price = ref.mark.get(symbol)!;
    const id = `o-${++n}`;
    const spec = {
      clientOrderId: id,
      symbol,
      side: sign === 1 ? 'buy' : 'sell',
      type: 'market',
      quantity,
      ...(reduceOnly ? { reduceOnly: true } : {}),
    } as OrderSpec;
    const position = ref.pos(symbol);
    const reducing = sign * position < 0 && quantity <= Math.abs(position);
    // Judged before the gate sees the order (open orders as they are now).
    const worst = ref.worstCase(symbol, { sign, quantity }) * price;
    let other = 0;
    for (const s of SYMBOLS) if (s !== symbol && ref.isOpen(s)) other += ref.worstCase(s) * ref.mark.get(s)!;
    const openCount = SYMBOLS.filter((s) => ref.isOpen(s)).length + (ref.isOpen(symbol) ? 0 : 1);
    const equity = ref.equity();
    const halted = ref.halted(time);

    const approved = either.isRight(gate.check({ account: 'acc', exchange: 'binance', spec, referencePrice: price, time }));
    const context = `${why}: ${spec.side} ${quantity} ${symbol} at ${price}, position ${position}, equity ${equity}`;
    if (reducing) expect(approved, `an order that only reduces is approved (${context})`).to.equal(true);
    else if (approved) {
      expect(reduceOnly, `a reduce-only order that does not reduce is refused (${context})`).to.equal(false);
      expect(halted, `no opening order while halted (${context})`).to.not.equal(true);
      expect(worst, `max position size (${context})`).to.be.at.most(limits.maxPositionNotional * (1 + EPS));
      expect(worst / equity, `max symbol exposure (${context})`).to.be.at.most(limits.maxSymbolExposure * (1 + EPS));
      expect((other + worst) / equity, `max portfolio exposure (${context})`).to.be.at.most(limits.maxPortfolioExposure * (1 + EPS));
      expect(openCount, `max open positions (${context})`).to.be.at.most(limits.maxOpenPositions);
    }
    if (approved) ref.open.push({ id, symbol, sign, remaining: quantity, reducing });
    else refusals++;
  };

  const react = (action: RiskAction | undefined) => {
    if (!action) return;
    // The executor's part: one reduce-only market order per position, filled at once at the mark.
    for (const p of action.positions) {
      const sign = p.quantity > 0 ? -1 : 1;
      attempt(p.symbol, sign, Math.abs(p.quantity), true, `closing ${p.symbol} after ${action.trigger}`);
      const o = ref.open[ref.open.length - 1]!;
      fillOrder(o, 1, 0);
    }
  };

  const fillOrder = (o: RefOrder, share: number, move: number) => {
    const price = ref.mark.get(o.symbol)! * (1 + move);
    let quantity = o.remaining * share;
    // A reduce-only order never flips the position (the venue clamps it; on spot, selling more than is held is refused).
    if (o.reducing) quantity = Math.min(quantity, Math.max(0, o.sign * -ref.pos(o.symbol)));
    const complete = share === 1 || quantity === 0;
    if (quantity > 0) {
      ref.roll(time);
      ref.position.set(o.symbol, ref.pos(o.symbol) + o.sign * quantity);
      if (Math.abs(ref.pos(o.symbol)) < 1e-12) ref.position.set(o.symbol, 0);
      ref.cash -= o.sign * quantity * price + quantity * price * FEE;
      ref.mark.set(o.symbol, price);
      ref.watch(limits);
    }
    o.remaining -= quantity;
    if (complete || o.remaining <= 1e-12) ref.open.splice(ref.open.indexOf(o), 1);
    const action =
      quantity > 0
        ? gate.onFill({
            clientOrderId: o.id,
            symbol: o.symbol,
            side: o.sign === 1 ? 'buy' : 'sell',
            price,
            quantity,
            fee: quantity * price * FEE,
            time,
            complete,
          })
        : (gate.onOrderEnded(o.id), undefined);
    react(action);
  };

  for (const s of steps) {
    switch (s.kind) {
      case 'order': {
        const symbol = SYMBOLS[s.symbol]!;
        const position = ref.pos(symbol);
        if (s.reduceOnly && position !== 0) attempt(symbol, position > 0 ? -1 : 1, Math.abs(position) * s.reduceShare, true, 'reduce-only exit');
        else attempt(symbol, s.buy ? 1 : -1, s.notional / ref.mark.get(symbol)!, false, 'signal');
        break;
      }
      case 'fill': {
        if (ref.open.length === 0) break;
        fillOrder(ref.open[s.pick % ref.open.length]!, s.share, s.move);
        break;
      }
      case 'cancel': {
        if (ref.open.length === 0) break;
        const o = ref.open[s.pick % ref.open.length]!;
        ref.open.splice(ref.open.indexOf(o), 1);
        gate.onOrderEnded(o.id);
        break;
      }
      case 'price': {
        time += s.hours * HOUR;
        const symbol = SYMBOLS[s.symbol]!;
        ref.roll(time);
        ref.mark.set(symbol, ref.mark.get(symbol)! * (1 + s.move));
        ref.watch(limits);
        react(gate.onPrice(symbol, ref.mark.get(symbol)!, time));
        break;
      }
      case 'manual': {
        // An operator's command, accepted by the stream: its event applied to the gate (as gate.command does).
        if (s.engage && !ref.manual) {
          ref.manual = true;
          react(
            gate.apply({
              type: 'KillSwitchEngaged',
              data: { account: 'acc', trigger: 'manual', time, decidedBy: 'operator:ops', reason: 'drill', positionsToClose: [] },
            } as unknown as RiskEvent),
          );
        } else if (!s.engage && ref.manual) {
          ref.manual = false;
          gate.apply({
            type: 'KillSwitchReleased',
            data: { account: 'acc', trigger: 'manual', time, releasedBy: 'operator:ops', reason: 'drill over' },
          } as unknown as RiskEvent);
        } else if (!s.engage && ref.drawdownHalt === true) {
          [ref.drawdownHalt, ref.peak] = [false, ref.equity()];
          gate.apply({
            type: 'KillSwitchReleased',
            data: { account: 'acc', trigger: 'max_drawdown', time, releasedBy: 'operator:ops', reason: 'reviewed' },
          } as unknown as RiskEvent);
        }
        break;
      }
    }
    expect(gate.equity, 'the gate’s equity is the reference’s').to.be.closeTo(ref.equity(), 1e-6 * Math.max(1, Math.abs(ref.equity())));
  }
  return { gate, stream, refusals };
};

describe('the risk gate as a property: no sequence gets an order past a limit', () => {
  it('random limits and sequences of up to 120 orders, fills, cancellations, price moves over days and kill switches (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(limitsArb, fc.array(step, { minLength: 20, maxLength: 120, size: 'max' }), async (limits, steps) => {
        const result = run(limits, steps);
        await result.gate.flush();
        const recorded = result.stream.events.filter((e) => e.type === 'RiskOrderRefused').length;
        expect(recorded, 'every refusal recorded').to.equal(result.refusals);
      }),
      { seed: 20261110, numRuns: 400 },
    );
  });
});
