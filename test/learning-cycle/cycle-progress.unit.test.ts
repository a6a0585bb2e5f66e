// The cycle_progress fold from a hand-made cycle-<day> history: the stage running, counts per stage, elapsed and the
// estimate of time left worked out by hand (planned 100, 25 done in 50 s: 2 s each, 75 left → 150 s), across two
// batches, and an event applied twice changing nothing.
import { expect } from 'chai';
import type { DecodedEvent } from '../../application/events/decode-event.js';
import { foldProgressBatch } from '../../projections/cycle-progress/projection.js';
import type { CycleProgress, CycleProgressEvent } from '../../projections/cycle-progress/fold.js';

const DAY = '2023-06-01';
const T0 = Date.parse(`${DAY}T03:00:00.000Z`);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

let revision = 0;
const ev = (event: { type: string; data: object }, s: number): DecodedEvent<CycleProgressEvent> =>
  ({
    event: { ...event, data: { cycleId: DAY, ...event.data } },
    metadata: { occurredAt: at(s) },
    recorded: { revision: BigInt(revision++) },
  }) as unknown as DecodedEvent<CycleProgressEvent>;

const stage = (name: string, counts: object, elapsedMs: number, s: number, extra: object = {}) =>
  ev({ type: 'CycleStageCompleted', data: { stage: name, counts, elapsedMs, at: at(s), ...extra } }, s);

describe('cycle_progress fold (hand-made history)', () => {
  const started = ev({ type: 'LearningCycleStarted', data: { asOf: at(0), n: 100, leftOut: [{ symbol: 'BNBUSDT', reason: 'no candles' }] } }, 0);
  const data = stage('data', { symbols: 2 }, 3000, 3);
  const generate = stage('generate', { planned: 100 }, 2000, 5);
  const progress = ev({ type: 'CycleBacktestsProgressed', data: { done: 25, planned: 100, elapsedMs: 50_000, at: at(55) } }, 55);
  let mid: CycleProgress;

  it('while the backtests run: stage backtest, 25 of 100, time left from their rate', () => {
    const rows = foldProgressBatch(new Map(), [started, data, generate, progress]);
    mid = rows.get(DAY)!;
    expect(mid.stage).to.equal('backtest');
    expect(mid.startedAt).to.equal(at(0));
    expect(mid.planned).to.equal(100);
    expect(mid.backtested).to.equal(25);
    expect(mid.elapsedMs).to.equal(55_000);
    expect(mid.etaMs).to.equal(150_000);
    expect(mid.degradations).to.deep.equal([{ symbol: 'BNBUSDT', reason: 'no candles' }]);
    expect(Object.keys(mid.stages)).to.deep.equal(['data', 'generate']);
    expect(mid.stages.generate).to.deep.equal({ counts: { planned: 100 }, elapsedMs: 2000, at: at(5) });
  });

  it('before the first chunk the time left is unknown', () => {
    const rows = foldProgressBatch(new Map(), [started, data, generate]);
    expect(rows.get(DAY)!.stage).to.equal('backtest');
    expect(rows.get(DAY)!.etaMs).to.equal(null);
  });

  it('a second batch: the budget cut, the stages after it, completion: done, time left 0; a repeated event changes nothing', () => {
    const rest = [
      ev(
        {
          type: 'CycleBudgetExhausted',
          data: { planned: 100, backtested: 60, leftOut: [{ index: 60, fingerprint: 'ab' }], budgetMs: 120_000, elapsedMs: 125_000, at: at(130) },
        },
        130,
      ),
      stage('backtest', { planned: 100, backtested: 60, leftOut: 40 }, 125_000, 130),
      stage('filter', { recorded: 60, passed: 4 }, 1000, 131),
      stage('learn', { learnedFrom: 60 }, 500, 132),
      stage('promote', { promoted: 2 }, 100, 133),
      ev({ type: 'CycleCompleted', data: { planned: 100, backtested: 60, passed: 4, promoted: 2, paperResultsLearned: 3, at: at(134) } }, 134),
    ];
    const rows = foldProgressBatch(new Map([[DAY, mid]]), rest);
    const done = rows.get(DAY)!;
    expect(done.stage).to.equal('done');
    expect(done.backtested).to.equal(60);
    expect(done.budget).to.deep.equal({ planned: 100, backtested: 60, leftOut: 1, budgetMs: 120_000 });
    expect(done.elapsedMs).to.equal(134_000);
    expect(done.etaMs).to.equal(0);
    expect(done.finishedAt).to.equal(at(134));
    expect(done.completed).to.deep.equal({ planned: 100, backtested: 60, passed: 4, promoted: 2, paperResultsLearned: 3 });
    expect(Object.keys(done.stages)).to.deep.equal(['data', 'generate', 'backtest', 'filter', 'learn', 'promote']);
    // The progress event again (an older revision): nothing changes.
    expect(foldProgressBatch(new Map([[DAY, done]]), [progress]).get(DAY)).to.deep.equal(done);
  });
});
