// The replacement margin (hysteresis) of the activation policy: a waiting candidate replaces an unpinned, unbreached
// live strategy only if its score beats that one's by at least the margin; empty places are filled without it;
// breached removals are unchanged. Scores by hand with the weights all on performance (score = paper Sharpe / 3),
// and properties over seeded random inputs: with a margin of 0 the decisions are exactly those of the policy before
// the margin (`referenceDecide`, a copy of it kept here), and with any margin every decision passes the strategy
// decider's re-check of it.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import {
  DEFAULT_ACTIVATION_SETTINGS,
  decideActivation,
  MIN_ACTIVE_STRATEGIES,
  type ActivationSettings,
  type Deactivation,
  type PolicyDecision,
  type PolicyInput,
  type Weighed,
} from '../../domain/activation/policy.js';
import { decisionRecord } from '../../domain/activation/record.js';
import { scoreCandidate, type CandidateFigures } from '../../domain/activation/score.js';
import { decide } from '../../domain/strategy/decide.js';

import { HOUR, NOW, run } from './candidates.js';

// ---- hand-made cases ---------------------------------------------------------------------------------------
const L1 = '11111111-0000-4000-8000-000000000001';
const L2 = '22222222-0000-4000-8000-000000000002';
const W1 = '33333333-0000-4000-8000-000000000003';
const W2 = '44444444-0000-4000-8000-000000000004';

/** Performance alone counts: the score is min(1, paper Sharpe / 3). */
const PERFORMANCE_ONLY: ActivationSettings = { ...DEFAULT_ACTIVATION_SETTINGS, weights: { performance: 1, backtest: 0, regimeFit: 0, risk: 0 } };
const scored = (strategyId: string, sharpe: number, breached = false): CandidateFigures => ({
  strategyId,
  paper: { sharpe, days: 7 },
  ...(breached ? { breached } : {}),
});
/** Free to change (the last change 5 h ago, the interval 4 h), maximum 2, margin 0.05 unless said. */
const free = (candidates: CandidateFigures[], live: string[], over: Partial<ActivationSettings> = {}): PolicyInput => ({
  candidates,
  live,
  now: NOW,
  lastChangeAt: NOW - 5 * HOUR,
  settings: { ...PERFORMANCE_ONLY, ...over },
});
const ids = (xs: readonly { strategyId: string }[]) => xs.map((x) => x.strategyId);
const causes = (d: PolicyDecision) => d.deactivate.map((x) => [x.strategyId, x.cause]);

describe('activation policy: the replacement margin', () => {
  it('the scores are the paper Sharpe / 3: 2.4 → 0.8, 1.5 → 0.5, 1.53 → 0.51, 1.68 → 0.56', () => {
    const d = run(free([scored(L1, 2.4), scored(L2, 1.5), scored(W1, 1.53), scored(W2, 1.68)], []));
    const score = (id: string) => d.weighed.find((w) => w.strategyId === id)!.score;
    expect(score(L1)).to.be.closeTo(0.8, 1e-12);
    expect(score(L2)).to.be.closeTo(0.5, 1e-12);
    expect(score(W1)).to.be.closeTo(0.51, 1e-12);
    expect(score(W2)).to.be.closeTo(0.56, 1e-12);
  });

  it('a candidate 0.01 above a live one (0.51 against 0.50) does not replace it with the margin 0.05', () => {
    const d = run(free([scored(L1, 2.4), scored(L2, 1.5), scored(W1, 1.53)], [L1, L2]));
    expect(d.held).to.equal(false);
    expect(d.activate).to.deep.equal([]);
    expect(d.deactivate).to.deep.equal([]);
    expect(d.liveAfter).to.deep.equal([L1, L2]);
  });

  it('a candidate 0.06 above (0.56 against 0.50) replaces it: outranked', () => {
    const d = run(free([scored(L1, 2.4), scored(L2, 1.5), scored(W2, 1.68)], [L1, L2]));
    expect(ids(d.activate)).to.deep.equal([W2]);
    expect(causes(d)).to.deep.equal([[L2, 'outranked']]);
    expect(d.liveAfter).to.deep.equal([L1, W2]);
  });

  it('exactly the margin above (0.55 against 0.50) replaces it: at least the margin', () => {
    const d = run(free([scored(L1, 2.4), scored(L2, 1.5), scored(W2, 1.65)], [L1, L2]));
    expect(ids(d.activate)).to.deep.equal([W2]);
    expect(causes(d)).to.deep.equal([[L2, 'outranked']]);
  });

  it('with the margin 0, 0.51 replaces 0.50 as before the margin', () => {
    const d = run(free([scored(L1, 2.4), scored(L2, 1.5), scored(W1, 1.53)], [L1, L2], { replacementMargin: 0 }));
    expect(ids(d.activate)).to.deep.equal([W1]);
    expect(causes(d)).to.deep.equal([[L2, 'outranked']]);
  });

  it('an empty place is filled by the best waiting, whatever the margin: 0.30 joins 0.80 (maximum 2)', () => {
    const d = run(free([scored(L1, 2.4), scored(W1, 0.9)], [L1], { replacementMargin: 0.5 }));
    expect(ids(d.activate)).to.deep.equal([W1]);
    expect(d.deactivate).to.deep.equal([]);
    expect(d.liveAfter).to.deep.equal([L1, W1]);
  });

  it('the empty place goes to the best waiting (0.56); the next (0.51) does not replace the live 0.50', () => {
    const d = run(free([scored(L2, 1.5), scored(W1, 1.53), scored(W2, 1.68)], [L2]));
    expect(ids(d.activate)).to.deep.equal([W2]);
    expect(d.deactivate).to.deep.equal([]);
    expect(d.liveAfter).to.deep.equal([W2, L2]);
  });

  it('replaces while the best waiting beats the worst live by the margin, then stops: 0.90 for 0.45, not 0.52 for 0.50', () => {
    const d = run(free([scored(L2, 1.5), scored(L1, 1.35), scored(W1, 2.7), scored(W2, 1.56)], [L1, L2]));
    expect(ids(d.activate)).to.deep.equal([W1]);
    expect(causes(d)).to.deep.equal([[L1, 'outranked']]);
    expect(d.liveAfter).to.deep.equal([W1, L2]);
  });

  it('a breached live strategy goes whatever the margin, and its place is filled without one (0.46 for the breached 0.50)', () => {
    const d = run(free([scored(L1, 2.4), scored(L2, 1.5, true), scored(W1, 1.38)], [L1, L2]));
    expect(causes(d)).to.deep.equal([[L2, 'breached']]);
    expect(ids(d.activate)).to.deep.equal([W1]);
  });

  it('a margin outside 0–0.5 is refused, naming settings.replacementMargin', () => {
    for (const replacementMargin of [-0.1, 0.9, Number.NaN]) {
      const d = decideActivation(free([scored(L1, 2.4)], [], { replacementMargin }));
      expect(either.isLeft(d) && d.left.field, String(replacementMargin)).to.equal('settings.replacementMargin');
    }
  });

  it('the record carries the margin among the thresholds', () => {
    const d = run(free([scored(L1, 2.4), scored(L2, 1.5), scored(W2, 1.68)], [L1, L2]));
    const r = decisionRecord(d, W2);
    if (either.isLeft(r)) return expect.fail(JSON.stringify(r.left));
    expect(r.right.thresholds).to.deep.include({ replacementMargin: 0.05, minIntervalMs: 4 * HOUR });
  });
});

// ---- the policy as it was before the margin, kept as the reference -----------------------------------------
// A copy of decideActivation from before the replacement margin (its input checks left out: the inputs generated
// below are valid). Once free to change, the live set becomes the best `room` unbreached candidates, however
// small the differences.
const byRankRef = (a: Weighed, b: Weighed) =>
  a.score !== b.score ? b.score - a.score : a.strategyId < b.strategyId ? -1 : a.strategyId > b.strategyId ? 1 : 0;

const referenceDecide = (input: PolicyInput): Either<never, PolicyDecision> => {
  const { settings, now, lastChangeAt, currentRegime } = input;
  const max = settings.maxActiveStrategies;
  const minLive = Math.min(MIN_ACTIVE_STRATEGIES, max);
  const liveIds = new Set(input.live);
  const pinnedIds = new Set(input.pinned ?? []);

  const known = new Set(input.candidates.map((c) => c.strategyId));
  const figures: CandidateFigures[] = [...input.candidates, ...[...liveIds].filter((id) => !known.has(id)).map((strategyId) => ({ strategyId }))];
  const weighed = figures
    .map((c): Weighed => ({
      strategyId: c.strategyId,
      live: liveIds.has(c.strategyId),
      breached: c.breached === true,
      pinned: pinnedIds.has(c.strategyId),
      ...scoreCandidate(c, currentRegime, settings.weights),
    }))
    .sort(byRankRef);

  const live = weighed.filter((w) => w.live);
  const pinnedLive = live.filter((w) => w.pinned);
  const room = Math.max(0, max - pinnedLive.length);
  const free = live.filter((w) => !w.pinned);
  const forced: Deactivation[] = free.filter((w) => w.breached).map((w) => ({ ...w, cause: 'breached' }));
  const staying = free.filter((w) => !w.breached);
  const overMaximum: Deactivation[] = staying.slice(room).map((w) => ({ ...w, cause: 'over-maximum' }));
  const kept = [...pinnedLive, ...staying.slice(0, room)];
  const waiting = weighed.filter((w) => !w.live && !w.breached);

  const held = lastChangeAt !== undefined && now - lastChangeAt < settings.minIntervalMs;
  let activate: Weighed[];
  let deactivate: Deactivation[];
  if (held) {
    const replacements = Math.max(0, Math.min(forced.length, minLive - kept.length));
    activate = waiting.slice(0, replacements);
    deactivate = [...forced, ...overMaximum];
  } else {
    const target = [...pinnedLive, ...weighed.filter((w) => !w.breached && !(w.live && w.pinned)).slice(0, room)];
    const inTarget = new Set(target.map((w) => w.strategyId));
    activate = target.filter((w) => !w.live);
    const outranked: Deactivation[] = kept
      .filter((w) => !w.pinned)
      .filter((w) => !inTarget.has(w.strategyId))
      .map((w) => ({ ...w, cause: 'outranked' }));
    deactivate = [...forced, ...overMaximum, ...outranked];
  }
  const leaving = new Set(deactivate.map((d) => d.strategyId));
  const liveAfter = [...live.filter((w) => !leaving.has(w.strategyId)), ...activate].sort(byRankRef).map((w) => w.strategyId);

  return either.right({
    decidedAt: now,
    settings,
    minActiveStrategies: minLive,
    ...(currentRegime !== undefined ? { currentRegime } : {}),
    ...(lastChangeAt !== undefined ? { lastChangeAt } : {}),
    held,
    liveBefore: live.map((w) => w.strategyId),
    liveAfter,
    activate,
    deactivate: deactivate.sort(byRankRef),
    weighed,
  });
};

// ---- properties --------------------------------------------------------------------------------------------
describe('activation policy: the replacement margin over random inputs', () => {
  const POOL = Array.from({ length: 12 }, (_, i) => `${(i + 1).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`);
  // Figures drawn mostly from a few values, so equal scores (ties broken by id) and near-equal ones are common.
  const sharpe = fc.oneof(fc.constantFrom(0, 0.75, 1.5, 1.53, 1.65, 3, 4), fc.double({ min: -3, max: 6, noNaN: true }));
  const record = fc.option(fc.record({ sharpe, days: fc.constantFrom(0, 7, 14) }), { nil: undefined });
  const candidate = (strategyId: string) =>
    fc.record({
      strategyId: fc.constant(strategyId),
      paper: record,
      live: record,
      backtest: fc.option(fc.record({ sharpe }), { nil: undefined }),
      regime: fc.option(fc.constantFrom('trend_low_vol', 'range_high_vol'), { nil: undefined }),
      maxDrawdown: fc.option(fc.constantFrom(0.05, 0.1, 0.25), { nil: undefined }),
      // one in five breached (fc.option's freq is the odds of its nil, not of the value)
      breached: fc.constantFrom(true, undefined, undefined, undefined, undefined),
    });
  const policyInput = (margin: fc.Arbitrary<number>) =>
    fc
      .tuple(
        fc.subarray(POOL.slice(0, 10), { minLength: 2 }),
        fc.option(fc.constantFrom(0, HOUR, 4 * HOUR, 5 * HOUR, 10 * HOUR), { nil: undefined }),
        margin,
        fc.constantFrom('trend_low_vol', undefined),
      )
      .chain(([candidateIds, sinceChange, replacementMargin, currentRegime]) =>
        fc.tuple(
          fc.tuple(...candidateIds.map(candidate)),
          // live: some of the candidates, and now and then one without figures (weighed with every figure missing)
          fc.subarray(candidateIds, { minLength: 1 }),
          fc.subarray(POOL.slice(10), { maxLength: 1 }),
          fc.subarray(POOL, { maxLength: 3 }),
          // the maximum mostly about the live count, so the live set is often full and waiting candidates contest it
          fc.oneof(
            fc.integer({ min: -1, max: 1 }).map((d) => ({ around: d })),
            fc.integer({ min: 1, max: 10 }).map((n) => ({ exactly: n })),
          ),
          fc.constant({ sinceChange, replacementMargin, currentRegime }),
        ),
      )
      .map(([candidates, known, unknown, pinned, maximum, { sinceChange, replacementMargin, currentRegime }]): PolicyInput => {
        const live = [...known, ...unknown];
        const max = 'exactly' in maximum ? maximum.exactly : Math.min(10, Math.max(1, live.length + maximum.around));
        return {
          candidates: candidates.map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as CandidateFigures),
          live,
          pinned,
          now: NOW,
          ...(sinceChange !== undefined ? { lastChangeAt: NOW - sinceChange } : {}),
          ...(currentRegime !== undefined ? { currentRegime } : {}),
          settings: { ...DEFAULT_ACTIVATION_SETTINGS, maxActiveStrategies: max, replacementMargin },
        };
      });
  const params = { seed: 20260301, numRuns: 3000 };
  const margins = fc.oneof(fc.constantFrom(0, 0.01, 0.05, 0.1, 0.5), fc.double({ min: 0, max: 0.5, noNaN: true }));

  it('with the margin 0, decides exactly as the policy before the margin (same ties by strategy id)', () =>
    fc.assert(
      fc.property(policyInput(fc.constant(0)), (i) => {
        expect(decideActivation(i)).to.deep.equal(referenceDecide(i));
      }),
      params,
    ));

  it('with a margin, switches no more than the plain ranking (its changes are among the plain ranking’s) and keeps as many live', () =>
    fc.assert(
      fc.property(policyInput(margins), (i) => {
        const d = run(i);
        const plain = run({ ...i, settings: { ...i.settings, replacementMargin: 0 } });
        const outranked = (x: PolicyDecision) => x.deactivate.filter((w) => w.cause === 'outranked').length;
        expect(d.liveAfter.length).to.equal(plain.liveAfter.length);
        expect(outranked(d)).to.be.at.most(outranked(plain));
        for (const a of d.activate) expect(ids(plain.activate)).to.include(a.strategyId);
        for (const x of d.deactivate) expect(ids(plain.deactivate)).to.include(x.strategyId);
        // What is not outranked is exactly as before: breached and over-maximum removals.
        expect(d.deactivate.filter((w) => w.cause !== 'outranked')).to.deep.equal(plain.deactivate.filter((w) => w.cause !== 'outranked'));
      }),
      params,
    ));

  it('every activation beats every unbreached deactivation by the margin, and the decider accepts each record of it', () =>
    fc.assert(
      fc.property(policyInput(margins), (i) => {
        const d = run(i);
        for (const a of d.activate)
          for (const x of d.deactivate.filter((w) => w.cause !== 'breached'))
            expect(a.score - x.score, `${a.strategyId} for ${x.strategyId}`).to.be.at.least(i.settings.replacementMargin - 1e-9);
        const decidedBy = 'system:activation-policy' as never;
        for (const a of d.activate) {
          const record = decisionRecord(d, a.strategyId);
          if (either.isLeft(record)) return expect.fail(JSON.stringify(record.left));
          const verdict = decide(
            { type: 'ActivateStrategy', strategyId: a.strategyId as never, data: { decidedBy, reason: 'policy' as never, decision: record.right } },
            { status: 'Paper', strategyId: a.strategyId, pinned: false, evaluation: 'eligible' },
          );
          // More pinned live than the maximum is refused as OverMaximum (doc/activation.md, Pins); never the margin.
          if (either.isLeft(verdict)) expect(verdict.left).to.deep.include({ kind: 'DecisionRefused', rule: 'OverMaximum' });
        }
        for (const x of d.deactivate) {
          const record = decisionRecord(d, x.strategyId);
          if (either.isLeft(record)) return expect.fail(JSON.stringify(record.left));
          const verdict = decide(
            { type: 'DeactivateStrategy', strategyId: x.strategyId as never, data: { decidedBy, reason: 'policy' as never, decision: record.right } },
            { status: 'Live', strategyId: x.strategyId, pinned: false },
          );
          expect(either.isRight(verdict), JSON.stringify(either.isLeft(verdict) ? verdict.left : null)).to.equal(true);
        }
      }),
      params,
    ));
});
