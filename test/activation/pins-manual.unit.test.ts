// Pins in the activation policy and the operator's manual activation, with the scores worked out by hand in
// policy.unit.test.ts (D .99, A .58, B .435, C .325): a pinned live strategy is never taken off by the policy and
// holds its place among the maximum; a manual activation forces the operator's strategy in, and at the maximum the
// lowest-ranked unpinned live one makes room — a decision the strategy decider accepts.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { manualActivation } from '../../domain/activation/manual.js';
import type { PolicyDecision } from '../../domain/activation/policy.js';
import { decisionRecord } from '../../domain/activation/record.js';
import { decide } from '../../domain/strategy/decide.js';

import { A, B, C, D, HOUR, NOW, figures, input, run } from './candidates.js';

const ids = (xs: readonly { strategyId: string }[]) => xs.map((x) => x.strategyId);
const causes = (d: PolicyDecision) => d.deactivate.map((x) => [x.strategyId, x.cause]);

/** The strategy decider's verdict on activating `id` in Paper with the decision's record. */
const deciderAccepts = (d: PolicyDecision, id: string) => {
  const record = decisionRecord(d, id);
  if (either.isLeft(record)) return expect.fail(JSON.stringify(record.left));
  const decided = decide(
    { type: 'ActivateStrategy', strategyId: id as never, data: { decidedBy: 'operator:alice' as never, reason: 'manual' as never, decision: record.right } },
    { status: 'Paper', strategyId: id, pinned: false, evaluation: 'eligible' },
  );
  return either.isRight(decided);
};

describe('activation policy: pins', () => {
  it('keeps a pinned live strategy that better candidates outrank; the others compete for the places left', () => {
    // max 2, live C (pinned, .325) and B (.435): C keeps one place, the other goes to the best of the rest, D.
    const d = run(input({ live: [C, B], pinned: [C] }));
    expect(ids(d.activate)).to.deep.equal([D]);
    expect(causes(d)).to.deep.equal([[B, 'outranked']]);
    expect(d.liveAfter).to.deep.equal([D, C]);
  });

  it('never takes a pinned live strategy off for a breach', () => {
    const d = run(input({ live: [D, A], pinned: [D], candidates: [figures.A!, figures.B!, figures.C!, { ...figures.D!, breached: true }] }));
    expect(d.deactivate).to.deep.equal([]);
    expect(d.liveAfter).to.deep.equal([D, A]);
    expect(d.weighed.find((w) => w.strategyId === D)).to.deep.include({ breached: true, pinned: true });
  });

  it('counts pinned live strategies among the maximum: two pinned at a maximum of 2 change nothing', () => {
    const d = run(input({ live: [B, C], pinned: [B, C], lastChangeAt: NOW - 10 * HOUR }));
    expect(d.activate).to.deep.equal([]);
    expect(d.deactivate).to.deep.equal([]);
  });

  it('inside the interval, over the maximum: the lowest-ranked unpinned goes, never the pinned', () => {
    // max 2, live A, B, C with C pinned: room for 1 unpinned → A (.58) stays, B (.435) goes.
    const d = run(input({ live: [A, B, C], pinned: [C], lastChangeAt: NOW - HOUR }));
    expect(causes(d)).to.deep.equal([[B, 'over-maximum']]);
    expect(d.liveAfter).to.deep.equal([A, C]);
  });
});

describe('manual activation (domain/activation/manual.ts)', () => {
  it('below the maximum: activates the operator’s strategy alone, weighed with every candidate; the decider accepts it', () => {
    const m = manualActivation(input({ live: [D] }), C);
    if (either.isLeft(m)) return expect.fail(m.left.message);
    expect(ids(m.right.activate)).to.deep.equal([C]);
    expect(m.right.deactivate).to.deep.equal([]);
    expect(ids(m.right.weighed)).to.deep.equal([D, A, B, C]);
    expect(m.right.liveAfter).to.deep.equal([D, C]);
    expect(deciderAccepts(m.right, C)).to.equal(true);
  });

  it('at the maximum: the lowest-ranked unpinned live one (A, .58, under D, .99) makes room, even inside the interval', () => {
    const m = manualActivation(input({ live: [D, A], lastChangeAt: NOW - HOUR }), C);
    if (either.isLeft(m)) return expect.fail(m.left.message);
    expect(ids(m.right.activate)).to.deep.equal([C]);
    expect(causes(m.right)).to.deep.equal([[A, 'outranked']]);
    expect(m.right.held).to.equal(false);
    expect(m.right.lastChangeAt).to.equal(NOW - HOUR);
    expect(deciderAccepts(m.right, C)).to.equal(true);
    const record = decisionRecord(m.right, C);
    expect(either.isRight(record) && record.right).to.deep.include({ activations: [C], deactivations: [A], activeStrategies: 2, maxActiveStrategies: 2 });
  });

  it('at the maximum with the lowest-ranked pinned, the next unpinned one makes room', () => {
    const m = manualActivation(input({ live: [D, A], pinned: [A] }), C);
    if (either.isLeft(m)) return expect.fail(m.left.message);
    expect(causes(m.right)).to.deep.equal([[D, 'outranked']]);
  });

  it('weighs a strategy the policy did not list (no figures: every part missing)', () => {
    const E = 'eeeeeeee-0000-4000-8000-000000000005';
    const m = manualActivation(input({ live: [] }), E);
    if (either.isLeft(m)) return expect.fail(m.left.message);
    expect(m.right.weighed.find((w) => w.strategyId === E)).to.deep.include({ missing: ['performance', 'backtest', 'regimeFit', 'risk'] });
  });

  it('refuses a strategy already live, and a full set of pinned live strategies, naming why', () => {
    const live = manualActivation(input({ live: [C] }), C);
    expect(either.isLeft(live) && live.left.message).to.equal(`${C} is already live`);
    const pinned = manualActivation(input({ live: [D, A], pinned: [D, A] }), C);
    expect(either.isLeft(pinned) && pinned.left.message).to.contain('2 of them are pinned');
  });
});
