import { expect } from 'chai';
import { FEATURE_NAMES, INDICATOR_FEATURES, buildFeatures } from '../../domain/prediction/features.js';
import { btcusdt, fearGreed, slice, HOUR } from './support.js';

const sameOrBothNaN = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('predictor features on real BTCUSDT 1h', () => {
  it('has about 20 features, at least 15 of them from distinct catalog indicators', () => {
    expect(FEATURE_NAMES.length).to.be.within(18, 26);
    expect(new Set(INDICATOR_FEATURES.map((f) => f.indicator)).size).to.be.at.least(15);
  });

  it('never looks ahead: the rows before k are the same when the candles after k are cut off', async () => {
    const all = slice(btcusdt(), 0, 3000);
    const fg = await fearGreed();
    const full = buildFeatures(all, fg);
    const F = full.names.length;
    for (const k of [70, 200, 1234, 2999]) {
      const cut = buildFeatures(slice(all, 0, k), fg);
      for (let i = 0; i < k * F; i++) {
        if (!sameOrBothNaN(cut.values[i]!, full.values[i]!))
          expect.fail(`k=${k}: feature ${full.names[i % F]} of row ${Math.floor(i / F)} is ${cut.values[i]} cut, ${full.values[i]} with the future`);
      }
      // The last kept row's target needs the next candle: unknown once it is cut off.
      expect(cut.target[k - 1]).to.be.NaN;
      for (let i = 0; i < k - 1; i++) expect(cut.target[i]).to.equal(full.target[i]);
    }
  });

  it("targets the next hour's simple return", () => {
    const c = slice(btcusdt(), 100, 400);
    const m = buildFeatures(c);
    for (const i of [0, 17, 298]) expect(m.target[i]).to.be.closeTo(c.close[i + 1]! / c.close[i]! - 1, 1e-15);
    expect(m.values[5 * m.names.length + 0]).to.be.closeTo(c.close[5]! / c.close[4]! - 1, 1e-15); // return_1h
  });

  it('uses Fear & Greed only from its publication (00:00 UTC of its day), unknown (0 with flag 0) before its first value', async () => {
    const fg = await fearGreed();
    const c = slice(btcusdt(), 0, 200); // 2021-04-04T20:00Z on
    // The index as if it had started on the 2nd day of the candles: rows before it are unknown.
    const firstDay = Math.ceil((c.openTime[0]! + 24 * HOUR) / (24 * HOUR)) * 24 * HOUR;
    const start = Array.from(fg.publishedAt).findIndex((t) => t >= firstDay);
    const late = { value: Array.from(fg.value).slice(start), publishedAt: Array.from(fg.publishedAt).slice(start) };
    const m = buildFeatures(c, late);
    const F = m.names.length;
    for (let i = 0; i < c.length; i++) {
      const known = m.values[i * F + F - 1]!;
      const v = m.values[i * F + F - 2]!;
      if (c.openTime[i]! < firstDay) {
        expect([known, v], `row ${i}`).to.deep.equal([0, 0]);
        continue;
      }
      // Independent: the reading of the candle's own UTC day (published at its 00:00), as (v − 50)/50.
      const dayStart = Math.floor(c.openTime[i]! / (24 * HOUR)) * 24 * HOUR;
      const idx = Array.from(late.publishedAt).indexOf(dayStart);
      expect(known).to.equal(1);
      expect(v).to.be.closeTo((late.value[idx]! - 50) / 50, 1e-12);
    }
  });
});
