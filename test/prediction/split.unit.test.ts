import { expect } from 'chai';
import { either } from 'fp-ts';
import { buildFeatures, type FeatureMatrix } from '../../domain/prediction/features.js';
import { splitChronologically, usableEnds, windowedSamples, type ChronologicalSplit } from '../../domain/prediction/windows.js';
import { btcusdt, fearGreed, slice, HOUR } from './support.js';

const W = 60;

const rightOf = <E, A>(e: either.Either<E, A>): A => {
  if (either.isLeft(e)) expect.fail(JSON.stringify(e.left));
  return e.right;
};

describe('the chronological split and normalisation on real BTCUSDT 1h', () => {
  let m: FeatureMatrix;
  let split: ChronologicalSplit;
  before(async () => {
    // 2021-04 to 2021-10: holds three of the series' gaps (2021-04-20, 04-25, 08-13, 09-29).
    m = buildFeatures(slice(btcusdt(), 0, 4500), await fearGreed());
    split = rightOf(splitChronologically(m, W));
  });

  it('puts the first 80% of the usable windows in training, the rest after them in validation, never shuffled', () => {
    const n = split.trainEnds.length + split.validationEnds.length;
    expect(split.trainEnds.length).to.equal(Math.floor(n * 0.8));
    for (let i = 1; i < split.trainEnds.length; i++) expect(split.trainEnds[i]).to.be.greaterThan(split.trainEnds[i - 1]!);
    for (let i = 1; i < split.validationEnds.length; i++) expect(split.validationEnds[i]).to.be.greaterThan(split.validationEnds[i - 1]!);
    expect(split.validationEnds[0]).to.be.greaterThan(split.trainEnds[split.trainEnds.length - 1]!);
  });

  it('leaks no validation target into training: every training window, features and target, lies before the boundary', () => {
    for (const e of split.trainEnds) expect(m.openTime[e + 1]!, `training target of row ${e}`).to.be.lessThan(split.boundary);
    for (const e of split.validationEnds) expect(m.openTime[e + 1]!).to.be.at.least(split.boundary);
    // The boundary is a validation target's hour: the first one.
    expect(split.boundary).to.equal(m.openTime[split.validationEnds[0]! + 1]!);
  });

  it('never bridges a gap: every usable window and its target hour are consecutive hours', () => {
    const all = [...split.trainEnds, ...split.validationEnds];
    for (const e of all) for (let r = e - W + 1; r <= e; r++) expect(m.openTime[r + 1]! - m.openTime[r]!).to.equal(HOUR);
    // And the slice does hold gaps: some windows were dropped for them (not only the warm-up).
    let gaps = 0;
    for (let r = 0; r + 1 < m.rows; r++) if (m.openTime[r + 1]! - m.openTime[r]! !== HOUR) gaps++;
    expect(gaps).to.be.at.least(3);
    expect(split.dropped).to.be.greaterThan(gaps * W);
  });

  it('normalises with the training rows only (an independent mean and standard deviation), whatever the validation rows hold', () => {
    const F = m.names.length;
    const rows = new Set<number>();
    for (const e of split.trainEnds) for (let r = e - W + 1; r <= e; r++) rows.add(r);
    for (let j = 0; j < F; j++) {
      const xs = [...rows].map((r) => m.values[r * F + j]!);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) || 1;
      expect(split.normalisation.mean[j], m.names[j]).to.be.closeTo(mean, 1e-9 * Math.max(1, Math.abs(mean)));
      expect(split.normalisation.std[j], m.names[j]).to.be.closeTo(sd, 1e-9 * Math.max(1, sd));
    }
    // Wild validation rows (after the last training window) change nothing of it.
    const lastTrainRow = split.trainEnds[split.trainEnds.length - 1]!;
    const values = Float64Array.from(m.values);
    for (let i = (lastTrainRow + 1) * F; i < values.length; i++) values[i] = values[i]! * 1000 + 7;
    const other = rightOf(splitChronologically({ ...m, values }, W));
    expect(other.normalisation).to.deep.equal(split.normalisation);
  });

  it("normalised training samples hold no NaN and carry each window's own target", () => {
    const d = windowedSamples(m, split.trainEnds, W, split.normalisation, true);
    expect(d.samples).to.equal(split.trainEnds.length);
    expect(d.x.every(Number.isFinite)).to.equal(true);
    expect(d.y!.every(Number.isFinite)).to.equal(true);
    expect(d.y![0]).to.be.closeTo(m.target[split.trainEnds[0]!]!, 1e-7);
  });

  it('drops every window that touches a NaN feature, and only those', () => {
    const F = m.names.length;
    const values = Float64Array.from(m.values);
    const bad = 3000;
    values[bad * F + 7] = NaN;
    const before = usableEnds(m, W, true).ends;
    const after = usableEnds({ ...m, values }, W, true).ends;
    const lost = [...before].filter((e) => !after.includes(e));
    expect(lost.length).to.be.greaterThan(0);
    for (const e of lost) expect(e - W + 1 <= bad && bad <= e, `window ending ${e}`).to.equal(true);
    for (const e of after) expect(e - W + 1 <= bad && bad <= e).to.equal(false);
  });

  it('refuses too little history with TOO_LITTLE_HISTORY naming the counts', () => {
    const short = buildFeatures(slice(btcusdt(), 0, 900));
    const r = splitChronologically(short, W);
    expect(either.isLeft(r)).to.equal(true);
    if (either.isLeft(r)) {
      expect(r.left.code).to.equal('TOO_LITTLE_HISTORY');
      expect(r.left.message).to.match(/usable 60-hour windows in 900 candles.*at least 1000/);
    }
  });
});
