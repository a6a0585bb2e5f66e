// Which model versions may serve a pipeline clock (domain/prediction/walk-forward-check.ts): one whose training
// candles had all closed by the clock and that was available before it (trained by then, or trained later on data that
// ended by then); the hours it may forecast start at the close of its last training candle. Hand-made times.
import { expect } from 'chai';
import { availableAt, servesAt, trainingCandlesBefore, trainingDataEnd } from '../../domain/prediction/walk-forward-check.js';

const at = (s: string) => Date.parse(s);
const model = (trainedAt: string, lastCandle: string) => ({ trainedAt, data: { lastCandle } }) as Parameters<typeof servesAt>[0];

describe('servesAt: a model version serves a clock once its training candles have closed and it was available', () => {
  const v = model('2024-02-08T15:00:00.000Z', '2023-12-28T22:00:00.000Z');

  it('its training data ends at the close of its last candle, an hour after that candle opened', () => {
    expect(trainingDataEnd(v)).to.equal(at('2023-12-28T23:00:00Z'));
  });

  it('serves a clock after its training and its data', () => {
    expect(servesAt(v, at('2024-02-08T15:05:00Z'))).to.equal(true);
    expect(servesAt(v, at('2025-01-01T00:00:00Z'))).to.equal(true);
  });

  it('a replay clock before its training: by its data — trained today on candles closed before that clock, it serves', () => {
    // Data to 2023-12-28T23:00: not a clock before that, whenever it was trained.
    expect(servesAt(v, at('2023-12-15T00:05:00Z'))).to.equal(false);
    // Trained "today" (2024-02-08) on data to 2023-12-28T23:00: a replay clock of 2024-01-15 could have had it.
    expect(servesAt(v, at('2024-01-15T00:05:00Z'))).to.equal(true);
    expect(availableAt(v, at('2024-01-15T00:05:00Z'))).to.equal(at('2023-12-28T23:00:00Z'));
    // A model trained now on candles up to 2023-08-30T23:00 (the console fixture's) serves a replay from 2023-09-01.
    const old = model('2026-12-05T17:00:00.000Z', '2023-08-30T23:00:00.000Z');
    expect(servesAt(old, at('2023-09-01T00:05:00Z'))).to.equal(true);
    // Available from the end of its data, serving from the instant after it (as one trained at a tick serves from the next).
    expect(servesAt(old, at('2023-08-31T00:00:00.001Z'))).to.equal(true);
    expect(servesAt(old, at('2023-08-31T00:00:00Z'))).to.equal(false);
  });

  it("available at its training when that was by the clock (live, and a replay's own retrainings)", () => {
    expect(availableAt(v, at('2024-02-08T15:05:00Z'))).to.equal(at('2024-02-08T15:00:00Z'));
    expect(availableAt(v, at('2024-02-08T15:00:00Z'))).to.equal(at('2024-02-08T15:00:00Z'));
  });

  it('not the tick it was trained at: from the next one', () => {
    expect(servesAt(v, at('2024-02-08T15:00:00Z'))).to.equal(false);
    expect(servesAt(v, at('2024-02-08T15:00:00.001Z'))).to.equal(true);
  });

  it('not a clock before its last training candle closed, even if "trained" earlier (a clock set back)', () => {
    const early = model('2023-01-01T00:00:00.000Z', '2023-12-28T22:00:00.000Z');
    expect(servesAt(early, at('2023-12-28T22:59:59Z'))).to.equal(false);
    expect(servesAt(early, at('2023-12-28T23:00:00Z'))).to.equal(true);
  });

  it('a model trained at a boundary learns from the candles opening up to an hour before it', () => {
    const b = at('2023-09-01T00:00:00Z');
    const learns = (open: string) => at(open) < trainingCandlesBefore(b);
    expect([learns('2023-08-31T22:00:00Z'), learns('2023-08-31T23:00:00Z'), learns('2023-09-01T00:00:00Z')]).to.deep.equal([true, true, false]);
  });
});
