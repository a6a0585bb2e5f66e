// Alignment of external operands on hand-made cases, where the right answer is written out by hand: weekends,
// holidays, both US daylight-saving regimes, look-back measures, missing bars, forecasts at and after a bar's close.
// And what a window without data does: OPERAND_DATA_MISSING naming the operand and the window, or partial coverage.
import { expect } from 'chai';
import { bindStrategy, compileGenome } from '../../domain/backtest/compile.js';
import { backtestSymbol } from '../../domain/backtest/engine.js';
import { OperandDataError, type OperandData } from '../../domain/backtest/operand-data.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { bars, flat } from '../backtest/helpers.js';
import { H, operandGenome } from './support.js';

const at = (iso: string) => Date.parse(iso);
const hourly = (fromIso: string, n: number, symbol = 'ETHUSDT', step = H): CandleSeries =>
  bars(
    flat(Array.from({ length: n }, (_, i) => 100 + i)),
    Array.from({ length: n }, (_, i) => at(fromIso) + i * step),
    symbol,
  );
const with15m = (s: CandleSeries): CandleSeries => ({ ...s, key: { ...s.key, interval: '15m' } });

/** The values of the genome's single external operand over `series`. */
const operandValues = (left: unknown, series: CandleSeries, data: OperandData, timeframe = '1h'): Float64Array => {
  const bound = bindStrategy(compileGenome(operandGenome(left, 0, -1, { timeframe })), series, new IndicatorCache(), data);
  expect(bound.external).to.have.length(1);
  return bound.external[0]!.values;
};
const valueAt = (series: CandleSeries, values: Float64Array, iso: string): number => {
  const i = series.openTime.indexOf(at(iso));
  if (i < 0) throw new Error(`no bar at ${iso}`);
  return values[i]!;
};
/** A daily series whose day D is published `delayH` hours after 00:00 UTC of D. */
const daily = (rows: readonly [string, number][], delayH: number) => ({
  value: Float64Array.from(rows, ([, v]) => v),
  publishedAt: Float64Array.from(rows, ([d]) => at(`${d}T00:00:00Z`) + delayH * H),
});

describe('operands: alignment on hand-made cases', () => {
  it('an index close is visible from 22:00 UTC of its day, carried over the weekend (summer time)', () => {
    // Thu 1 June, Fri 2 June, Mon 5 June 2023 (US summer time: the close is 20:00 UTC, published at 22:00).
    const sp = daily(
      [
        ['2023-06-01', 4221],
        ['2023-06-02', 4282],
        ['2023-06-05', 4273],
      ],
      22,
    );
    const s = hourly('2023-06-02T20:00:00Z', 80);
    const v = operandValues({ daily: 'sp500', measure: 'level' }, s, { daily: { sp500: sp } });
    expect(valueAt(s, v, '2023-06-02T20:00:00Z')).to.equal(4221); // after the bell, before publication
    expect(valueAt(s, v, '2023-06-02T21:00:00Z')).to.equal(4221);
    expect(valueAt(s, v, '2023-06-02T22:00:00Z')).to.equal(4282);
    expect(valueAt(s, v, '2023-06-03T12:00:00Z')).to.equal(4282); // Saturday
    expect(valueAt(s, v, '2023-06-05T21:00:00Z')).to.equal(4282); // Monday, before its close is published
    expect(valueAt(s, v, '2023-06-05T22:00:00Z')).to.equal(4273);
  });

  it('in winter time (close at 21:00 UTC) the bar opening at 21:00 still does not see the day', () => {
    const vix = daily(
      [
        ['2023-11-06', 14.9],
        ['2023-11-07', 14.8],
      ],
      22,
    );
    const s = hourly('2023-11-07T20:00:00Z', 3);
    const v = operandValues({ daily: 'vix', measure: 'level' }, s, { daily: { vix } });
    expect([...v]).to.deep.equal([14.9, 14.9, 14.8]);
  });

  it('a holiday carries the last close; a return over N days counts published observations, not calendar days', () => {
    // 3 July 2023, no 4 July (Independence Day), 5 July.
    const sp = daily(
      [
        ['2023-06-30', 100],
        ['2023-07-03', 110],
        ['2023-07-05', 99],
      ],
      22,
    );
    const s = hourly('2023-07-04T12:00:00Z', 36);
    const level = operandValues({ daily: 'sp500', measure: 'level' }, s, { daily: { sp500: sp } });
    expect(valueAt(s, level, '2023-07-04T12:00:00Z')).to.equal(110);
    expect(valueAt(s, level, '2023-07-05T21:00:00Z')).to.equal(110);
    expect(valueAt(s, level, '2023-07-05T22:00:00Z')).to.equal(99);
    const ret = operandValues({ daily: 'sp500', measure: 'return', days: 1 }, s, { daily: { sp500: sp } });
    expect(valueAt(s, ret, '2023-07-04T12:00:00Z')).to.be.closeTo(0.1, 1e-12); // 110 / 100 − 1
    expect(valueAt(s, ret, '2023-07-05T22:00:00Z')).to.be.closeTo(-0.1, 1e-12); // 99 / 110 − 1
  });

  it('Fear & Greed: visible from 00:00 UTC of its day; change over 2 days; NaN before enough history and after 7 days of silence', () => {
    const fng = daily(
      [
        ['2023-03-01', 10],
        ['2023-03-02', 20],
        ['2023-03-03', 35],
        ['2023-03-04', 50],
      ],
      0,
    );
    const s = hourly('2023-03-01T00:00:00Z', 24 * 12);
    const change = operandValues({ daily: 'fear_greed', measure: 'change', days: 2 }, s, { daily: { fear_greed: fng } });
    expect(valueAt(s, change, '2023-03-02T23:00:00Z')).to.be.NaN;
    expect(valueAt(s, change, '2023-03-03T00:00:00Z')).to.equal(25);
    expect(valueAt(s, change, '2023-03-04T05:00:00Z')).to.equal(30);
    const level = operandValues({ daily: 'fear_greed', measure: 'level' }, s, { daily: { fear_greed: fng } });
    expect(valueAt(s, level, '2023-03-11T00:00:00Z')).to.equal(50); // exactly 7 days old
    expect(valueAt(s, level, '2023-03-11T01:00:00Z')).to.be.NaN; // older: unknown, not stretched
  });

  it('another symbol: the bar with the same open time, NaN where it has none (never filled from a neighbour)', () => {
    const own = hourly('2023-01-01T00:00:00Z', 6);
    const other = bars(
      flat([10, 11, 12, 14, 15]),
      [0, 1, 2, 4, 5].map((i) => at('2023-01-01T00:00:00Z') + i * H),
      'BTCUSDT',
    );
    const ret = operandValues({ crossReturn: 1, symbol: 'BTCUSDT' }, own, { candles: { BTCUSDT: other } });
    // Bar 3 is missing; bar 4's return would span 2 intervals, so it is NaN too.
    const expected = [NaN, 11 / 10 - 1, 12 / 11 - 1, NaN, NaN, 15 / 14 - 1];
    expected.forEach((e, t) => (Number.isNaN(e) ? expect(ret[t]).to.be.NaN : expect(ret[t]).to.be.closeTo(e, 1e-12)));
  });

  it('a forecast is visible to the bar whose close is at or after it was made, for its one-hour horizon', () => {
    const p = {
      model: 'btc-1h',
      madeAt: Float64Array.from([at('2023-01-01T01:00:00Z'), at('2023-01-01T02:00:00Z') + 1, at('2023-01-01T05:00:00Z')]),
      expectedReturn: Float64Array.from([0.001, 0.002, 0.003]),
      upProbability: Float64Array.from([0.5, 0.6, 0.7]),
    };
    const s = hourly('2023-01-01T00:00:00Z', 6);
    const er = operandValues({ prediction: 'expected_return' }, s, { predictions: { 'btc-1h': p } });
    // Bar 0 closes 01:00 = made → visible. Bar 1 closes 02:00: the first is an hour old (its hour is over) and the
    // second was made 1 ms later → NaN. Bar 2 closes 03:00 → the second. Bar 3 (closes 04:00): the second is past
    // its hour → NaN. Bar 4 closes 05:00 → the third; bar 5 (06:00) → NaN.
    expect([...er]).to.deep.equal([0.001, NaN, 0.002, NaN, 0.003, NaN]);
    // 15-minute bars read the same hourly forecast on the four bars that close within its hour.
    const q = with15m(hourly('2023-01-01T00:45:00Z', 6, 'ETHUSDT', H / 4));
    const up = operandValues({ prediction: 'up_probability' }, q, { predictions: { 'btc-1h': p } }, '15m');
    expect([...up]).to.deep.equal([0.5, 0.5, 0.5, 0.5, NaN, 0.6]);
  });
});

describe('operands: a window without data', () => {
  const s = hourly('2023-03-01T00:00:00Z', 48);
  const run = (left: unknown, data: OperandData | undefined, from?: number) =>
    backtestSymbol(compileGenome(operandGenome(left, 0, -1e9)), s, new IndicatorCache(), { ...(data ? { operands: data } : {}), ...(from ? { from } : {}) });
  const missing = (fn: () => unknown): OperandDataError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof OperandDataError) return e;
      throw e;
    }
    throw new Error('no OperandDataError');
  };

  it('fails with OPERAND_DATA_MISSING naming the operand, its data and the window', () => {
    const noFng = missing(() => run({ daily: 'fear_greed', measure: 'level' }, { daily: { fear_greed: daily([['2022-01-01', 40]], 0) } }));
    expect(noFng.code).to.equal('OPERAND_DATA_MISSING');
    expect(noFng.operand).to.equal('daily:fear_greed.level');
    expect(noFng.message).to.contain('daily series fear_greed').and.contain('2023-03-01T00:00:00.000Z').and.contain('2023-03-03T00:00:00.000Z');
    const noPredictions = missing(() =>
      run(
        { prediction: 'up_probability' },
        {
          predictions: { 'btc-1h': { model: 'btc-1h', madeAt: new Float64Array(0), expectedReturn: new Float64Array(0), upProbability: new Float64Array(0) } },
        },
      ),
    );
    expect(noPredictions.operand).to.equal('prediction:btc-1h.up_probability');
    const empty = bars([], [], 'BTCUSDT');
    expect(missing(() => run({ crossReturn: 3, symbol: 'BTCUSDT' }, { candles: { BTCUSDT: empty } })).source).to.equal('candles of BTCUSDT');
    // Not loaded at all (no port wired): the same error, saying so.
    expect(missing(() => run({ daily: 'vix', measure: 'level' }, undefined)).message).to.contain('not loaded');
  });

  it('reports partial coverage when the data starts inside the window', () => {
    const fng = daily(
      [
        ['2023-03-02', 40],
        ['2023-03-03', 45],
      ],
      0,
    );
    const r = run({ daily: 'fear_greed', measure: 'level' }, { daily: { fear_greed: fng } });
    expect(r.coverage).to.deep.equal([
      {
        operand: 'daily:fear_greed.level',
        source: 'daily series fear_greed',
        coveredBars: 24,
        bars: 48,
        firstCovered: at('2023-03-02T00:00:00Z'),
        lastCovered: at('2023-03-02T23:00:00Z'),
        partial: true,
      },
    ]);
    // The same data over the covered half only: full coverage.
    expect(run({ daily: 'fear_greed', measure: 'level' }, { daily: { fear_greed: fng } }, at('2023-03-02T00:00:00Z')).coverage[0]!.partial).to.equal(false);
  });
});
