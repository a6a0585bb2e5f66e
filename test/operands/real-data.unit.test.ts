// Every new operand on real data (ETHUSDT 1h trading on BTCUSDT 1h, the daily Fear & Greed, S&P 500, NASDAQ and VIX
// files of ../shared/data): the bound values and the signals equal a plain per-bar computation written here from the
// alignment rules (a linear scan, no shared code), a backtest covers its window, and the look-ahead check passes —
// while planted leaky alignments (a daily value from its day's 00:00, another symbol's bar at its open, a forecast
// an hour early) are caught.
import { expect } from 'chai';
import { bindStrategy, compileGenome, fillSignals } from '../../domain/backtest/compile.js';
import { backtestSymbol } from '../../domain/backtest/engine.js';
import { checkLookAhead } from '../../domain/backtest/look-ahead.js';
import { HONEST_ALIGNER, alignByOpenTime, type OperandAligner, type OperandData } from '../../domain/backtest/operand-data.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { truncate } from '../indicators/real-candles.js';
import { DAY, H, btc, ethusdt1h, handMadePredictions, operandGenome, realDaily } from './support.js';

const FROM = Date.UTC(2022, 0, 1);
const TO = Date.UTC(2023, 0, 1);

/** Naive: the newest day (by index) published at or before `open`, at most 7 days old, or −1. */
const dayIndexAt = (d: PublishedValues, open: number): number => {
  let best = -1;
  for (let i = 0; i < d.value.length; i++) if (d.publishedAt[i]! <= open && i > best) best = i;
  return best >= 0 && open - d.publishedAt[best]! <= 7 * DAY ? best : -1;
};

interface Case {
  readonly name: string;
  readonly operand: Record<string, unknown>;
  readonly entry: number;
  readonly exit: number;
  /** The operand at bar t of ETHUSDT, computed plainly. */
  readonly plain: (eth: CandleSeries, t: number) => number;
}

describe('operands on real data', function () {
  this.timeout(120_000);
  let data: OperandData;
  let cases: Case[];
  let eth: CandleSeries;

  before(async () => {
    eth = ethusdt1h();
    const [fng, sp500, nasdaq, vix] = await Promise.all([realDaily('fear_greed'), realDaily('sp500'), realDaily('nasdaq'), realDaily('vix')]);
    const b = btc();
    const predictions = handMadePredictions(b);
    data = { daily: { fear_greed: fng, sp500, nasdaq, vix }, candles: { BTCUSDT: b }, predictions: { 'btc-1h': predictions } };
    const btcClose = new Map<number, number>();
    for (let i = 0; i < b.length; i++) btcClose.set(b.openTime[i]!, b.close[i]!);
    const btcRsi = new IndicatorCache().getSync(b, 'rsi', { period: 14 }).outputs['value']!;
    const btcRsiAt = new Map<number, number>();
    for (let i = 0; i < b.length; i++) btcRsiAt.set(b.openTime[i]!, btcRsi[i]!);
    const level = (d: PublishedValues) => (s: CandleSeries, t: number) => {
      const i = dayIndexAt(d, s.openTime[t]!);
      return i < 0 ? NaN : d.value[i]!;
    };
    const back = (d: PublishedValues, n: number, f: (now: number, then: number) => number) => (s: CandleSeries, t: number) => {
      const i = dayIndexAt(d, s.openTime[t]!);
      return i < n ? NaN : f(d.value[i]!, d.value[i - n]!);
    };
    cases = [
      { name: 'Fear & Greed level', operand: { daily: 'fear_greed', measure: 'level' }, entry: 40, exit: 15, plain: level(fng) },
      { name: 'Fear & Greed change', operand: { daily: 'fear_greed', measure: 'change', days: 3 }, entry: 8, exit: -8, plain: back(fng, 3, (a, p) => a - p) },
      { name: 'S&P 500 return', operand: { daily: 'sp500', measure: 'return', days: 5 }, entry: 0.01, exit: -0.01, plain: back(sp500, 5, (a, p) => a / p - 1) },
      { name: 'NASDAQ level', operand: { daily: 'nasdaq', measure: 'level' }, entry: 13_000, exit: 11_000, plain: level(nasdaq) },
      { name: 'VIX level', operand: { daily: 'vix', measure: 'level' }, entry: 30, exit: 22, plain: level(vix) },
      { name: 'VIX return', operand: { daily: 'vix', measure: 'return', days: 1 }, entry: 0.05, exit: -0.05, plain: back(vix, 1, (a, p) => a / p - 1) },
      {
        name: "BTC's return over 24 bars",
        operand: { crossReturn: 24, symbol: 'BTCUSDT' },
        entry: 0.03,
        exit: -0.03,
        plain: (s, t) => {
          const now = btcClose.get(s.openTime[t]!);
          const then = btcClose.get(s.openTime[t]! - 24 * H);
          return now === undefined || then === undefined ? NaN : now / then - 1;
        },
      },
      {
        name: "BTC's RSI",
        operand: { crossIndicator: 'btc_rsi', symbol: 'BTCUSDT' },
        entry: 70,
        exit: 30,
        plain: (s, t) => btcRsiAt.get(s.openTime[t]!) ?? NaN,
      },
      ...(['expected_return', 'up_probability'] as const).map((field): Case => ({
        name: `prediction ${field}`,
        operand: { prediction: field },
        entry: field === 'expected_return' ? 0.004 : 0.7,
        exit: field === 'expected_return' ? -0.004 : 0.3,
        plain: (s, t) => {
          const close = s.openTime[t]! + H;
          let v = NaN;
          for (let j = 0; j < predictions.madeAt.length; j++)
            if (predictions.madeAt[j]! <= close && predictions.madeAt[j]! > close - H)
              v = field === 'expected_return' ? predictions.expectedReturn[j]! : predictions.upProbability[j]!;
          return v;
        },
      })),
    ];
  });

  const genomeOf = (c: Case) =>
    compileGenome({ ...operandGenome(c.operand, c.entry, c.exit), indicators: [{ id: 'btc_rsi', name: 'rsi', params: { period: 14 } }] });

  it('binds each operand to the values and signals of a plain per-bar computation, and backtests its window', () => {
    // The plain computations scan whole series per bar: checked on a sample of bars spread over the window.
    const from = eth.openTime.findIndex((o) => o >= FROM);
    const to = eth.openTime.findIndex((o) => o >= TO);
    for (const c of cases) {
      const compiled = genomeOf(c);
      const bound = bindStrategy(compiled, eth, new IndicatorCache(), data);
      const entry = new Uint8Array(eth.length);
      const exit = new Uint8Array(eth.length);
      fillSignals(bound.entry, from, to, entry);
      fillSignals(bound.exit, from, to, exit);
      let entries = 0;
      for (let t = from; t < to; t += c.name.startsWith('prediction') ? 97 : 7) {
        const v = c.plain(eth, t);
        const got = bound.external[0]!.values[t]!;
        if (Number.isNaN(v)) expect(got, `${c.name} at bar ${t}`).to.be.NaN;
        else expect(got, `${c.name} at bar ${t}`).to.be.closeTo(v, Math.abs(v) * 1e-12);
        expect(entry[t], `${c.name} entry at bar ${t}`).to.equal(+(v > c.entry));
        expect(exit[t], `${c.name} exit at bar ${t}`).to.equal(+(v < c.exit));
        entries += entry[t]!;
      }
      expect(entries, `${c.name} never fires`).to.be.greaterThan(0);
      const r = backtestSymbol(compiled, eth, new IndicatorCache(), { from: FROM, to: TO, operands: data });
      expect(r.trades.length, c.name).to.be.greaterThan(0);
      expect(r.coverage).to.have.length(1);
      expect(r.coverage[0]!.coveredBars, c.name).to.be.greaterThan(0.99 * r.window.bars);
    }
  });

  it('passes the look-ahead check for every operand', () => {
    const cut = truncate(
      eth,
      eth.openTime.findIndex((o) => o >= TO),
    );
    for (const c of cases) {
      const report = checkLookAhead(genomeOf(c), cut, { count: 12, data });
      expect(report.findings, c.name).to.deep.equal([]);
      expect(report.passed).to.equal(true);
    }
  });

  describe('catches a planted leak', () => {
    const leakCheck = (c: Case | undefined, align: OperandAligner) => {
      const cut = truncate(
        eth,
        eth.openTime.findIndex((o) => o >= TO),
      );
      return checkLookAhead(genomeOf(c!), cut, { count: 12, data, align });
    };
    it('a daily close visible from its day’s 00:00 instead of its publication time', () => {
      const leaky: OperandAligner = {
        ...HONEST_ALIGNER,
        daily: (openTime, v) =>
          HONEST_ALIGNER.daily(openTime, { value: v.value, publishedAt: Float64Array.from(v.publishedAt, (p) => Math.floor(p / DAY) * DAY) }),
      };
      const report = leakCheck(
        cases.find((c) => c.name === 'VIX level'),
        leaky,
      );
      expect(report.passed).to.equal(false);
      expect(report.findings[0]!.what).to.match(/conditions\[0\]\.left|entry|exit/);
    });
    it('another symbol’s bar visible at its open (the bar opening at our close)', () => {
      const leaky: OperandAligner = {
        ...HONEST_ALIGNER,
        crossAsset: (openTime, intervalMs, other, values) =>
          alignByOpenTime(
            Float64Array.from(openTime, (o) => o + intervalMs),
            other,
            values,
          ),
      };
      expect(
        leakCheck(
          cases.find((c) => c.name === "BTC's return over 24 bars"),
          leaky,
        ).passed,
      ).to.equal(false);
      expect(
        leakCheck(
          cases.find((c) => c.name === "BTC's RSI"),
          leaky,
        ).passed,
      ).to.equal(false);
    });
    it('a forecast used an hour before it was made', () => {
      const leaky: OperandAligner = {
        ...HONEST_ALIGNER,
        predictions: (openTime, intervalMs, madeAt, values) =>
          HONEST_ALIGNER.predictions(
            openTime,
            intervalMs,
            Float64Array.from(madeAt, (m) => m - H),
            values,
          ),
      };
      expect(
        leakCheck(
          cases.find((c) => c.name === 'prediction expected_return'),
          leaky,
        ).passed,
      ).to.equal(false);
    });
  });
});
