// The activation policy: scores worked out by hand from the figures, the choice of who goes live, the stability
// rule, and properties over random inputs (never more than the maximum, no change inside the minimum interval but
// forced removals, a pure function of its inputs).
import { expect } from 'chai';
import { either } from 'fp-ts';
import fc from 'fast-check';
import { DEFAULT_ACTIVATION_SETTINGS, decideActivation, type PolicyInput } from '../../domain/activation/policy.js';
import { decisionRecord } from '../../domain/activation/record.js';
import type { CandidateFigures } from '../../domain/activation/score.js';
import { ActivationDecision } from '../../domain/strategy/events.js';

import { A, B, C, D, HOUR, NOW, figures, input, run } from './candidates.js';

const BY_HAND: Record<string, number> = { [A]: 0.58, [B]: 0.435, [C]: 0.325, [D]: 0.99 };

const ids = (xs: readonly { strategyId: string }[]) => xs.map((x) => x.strategyId);

describe('activation policy', () => {
  describe('the score', () => {
    it('weighs every candidate as worked out by hand, best first', () => {
      const d = run(input({}));
      expect(ids(d.weighed)).to.deep.equal([D, A, B, C]);
      for (const w of d.weighed) expect(w.score, w.strategyId).to.be.closeTo(BY_HAND[w.strategyId]!, 1e-12);
    });

    it('keeps the parts and the figures each part used; a missing figure is named and given its stated value', () => {
      const d = run(input({}));
      const b = d.weighed.find((w) => w.strategyId === B)!;
      expect(b.parts.performance).to.be.closeTo(0.6, 1e-12);
      expect(b.inputs.performance).to.deep.include({ paperSharpe: 0.6, paperDays: 10, liveSharpe: 2.4, liveDays: 20 });
      expect(b.inputs.regimeFit).to.deep.equal({ regime: 'range_high_vol', currentRegime: 'trend_low_vol' });
      const c = d.weighed.find((w) => w.strategyId === C)!;
      expect(c.missing).to.deep.equal(['performance', 'regimeFit', 'risk']);
      expect(c.parts).to.deep.equal({ performance: 0, backtest: 1, regimeFit: 0.5, risk: 0 });
    });

    it('breaks equal scores by strategy id, whatever the input order', () => {
      const same = { paper: { sharpe: 1, days: 7 } };
      const d = run(
        input({
          candidates: [
            { strategyId: C, ...same },
            { strategyId: A, ...same },
            { strategyId: B, ...same },
          ],
        }),
      );
      expect(ids(d.weighed)).to.deep.equal([A, B, C]);
      expect(ids(d.activate)).to.deep.equal([A, B]);
    });
  });

  describe('who goes live', () => {
    it('with nothing live, activates the best up to the maximum (2 by default)', () => {
      const d = run(input({}));
      expect(ids(d.activate)).to.deep.equal([D, A]);
      expect(d.deactivate).to.deep.equal([]);
      expect(d.liveAfter).to.deep.equal([D, A]);
    });

    it('after the minimum interval, replaces live strategies that better candidates outrank', () => {
      const d = run(input({ live: [B, C], lastChangeAt: NOW - 5 * HOUR }));
      expect(d.held).to.equal(false);
      expect(ids(d.activate)).to.deep.equal([D, A]);
      expect(d.deactivate.map((x) => [x.strategyId, x.cause])).to.deep.equal([
        [B, 'outranked'],
        [C, 'outranked'],
      ]);
    });

    it('never activates a candidate with a breached limit, and takes a breached live strategy off', () => {
      const d = run(input({ live: [B, D], lastChangeAt: NOW - 5 * HOUR, candidates: [figures.A!, figures.B!, figures.C!, { ...figures.D!, breached: true }] }));
      expect(ids(d.activate)).to.deep.equal([A]);
      expect(d.deactivate.map((x) => [x.strategyId, x.cause])).to.deep.equal([[D, 'breached']]);
      expect(d.liveAfter).to.deep.equal([A, B]);
    });
  });

  describe('stability', () => {
    it('changes nothing inside the minimum interval, even when better candidates wait', () => {
      const d = run(input({ live: [B, C], lastChangeAt: NOW - 3.99 * HOUR }));
      expect(d.held).to.equal(true);
      expect(d.activate).to.deep.equal([]);
      expect(d.deactivate).to.deep.equal([]);
      expect(d.liveAfter).to.deep.equal([B, C]);
    });

    it('inside the interval, still removes a breached strategy and replaces it to keep the minimum live', () => {
      const d = run(input({ live: [B, D], lastChangeAt: NOW - HOUR, candidates: [figures.A!, figures.B!, figures.C!, { ...figures.D!, breached: true }] }));
      expect(d.held).to.equal(true);
      expect(d.deactivate.map((x) => [x.strategyId, x.cause])).to.deep.equal([[D, 'breached']]);
      expect(ids(d.activate)).to.deep.equal([A]);
    });

    it('inside the interval, takes the lowest-ranked off when more are live than the maximum', () => {
      const d = run(input({ live: [A, B, C, D], lastChangeAt: NOW - HOUR, settings: { ...DEFAULT_ACTIVATION_SETTINGS, maxActiveStrategies: 3 } }));
      expect(d.deactivate.map((x) => [x.strategyId, x.cause])).to.deep.equal([[C, 'over-maximum']]);
      expect(d.activate).to.deep.equal([]);
    });
  });

  describe('bad input', () => {
    for (const [max, field] of [
      [0, 'settings.maxActiveStrategies'],
      [50, 'settings.maxActiveStrategies'],
      [2.5, 'settings.maxActiveStrategies'],
    ] as const)
      it(`refuses a maximum of ${max}, naming ${field}`, () => {
        const d = decideActivation(input({ settings: { ...DEFAULT_ACTIVATION_SETTINGS, maxActiveStrategies: max } }));
        expect(either.isLeft(d) && d.left.field).to.equal(field);
      });

    it('refuses weights that do not sum to 1 and a candidate listed twice', () => {
      const w = decideActivation(
        input({ settings: { ...DEFAULT_ACTIVATION_SETTINGS, weights: { performance: 0.5, backtest: 0.5, regimeFit: 0.5, risk: 0 } } }),
      );
      expect(either.isLeft(w) && w.left.field).to.equal('settings.weights');
      const twice = decideActivation(input({ candidates: [figures.A!, figures.A!] }));
      expect(either.isLeft(twice) && twice.left.field).to.equal('candidates.1.strategyId');
    });
  });

  describe('the record', () => {
    it('decodes with the event codec and carries the strategy score, its parts, weights, the change and every candidate', () => {
      const d = run(input({ live: [B, C], lastChangeAt: NOW - 5 * HOUR }));
      const r = decisionRecord(d, A);
      if (either.isLeft(r)) return expect.fail(JSON.stringify(r.left));
      expect(ActivationDecision.is(r.right)).to.equal(true);
      expect(r.right.score).to.be.closeTo(0.58, 1e-12);
      expect(r.right).to.deep.include({ activations: [D, A], deactivations: [B, C], maxActiveStrategies: 2, activeStrategies: 2, held: false });
      expect(r.right.candidates.map((c) => c.strategyId)).to.deep.equal([D, A, B, C]);
    });
  });

  describe('properties', () => {
    const POOL = Array.from({ length: 12 }, (_, i) => `${(i + 1).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`);
    const record = fc.option(fc.record({ sharpe: fc.double({ min: -3, max: 6, noNaN: true }), days: fc.integer({ min: 0, max: 30 }) }), { nil: undefined });
    const candidate = (strategyId: string) =>
      fc.record({
        strategyId: fc.constant(strategyId),
        paper: record,
        live: record,
        backtest: fc.option(fc.record({ sharpe: fc.double({ min: -3, max: 6, noNaN: true }) }), { nil: undefined }),
        regime: fc.option(fc.constantFrom('trend_low_vol', 'range_high_vol'), { nil: undefined }),
        maxDrawdown: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        // equal figures make ties; breaches are rarer than not
        breached: fc.option(fc.constant(true), { nil: undefined, freq: 4 }),
      });
    const policyInput = fc
      .tuple(
        fc.subarray(POOL, { minLength: 0 }),
        fc.subarray(POOL),
        fc.integer({ min: 1, max: 10 }),
        fc.option(fc.integer({ min: 0, max: 10 * HOUR }), { nil: undefined }),
      )
      .chain(([candidateIds, live, max, sinceChange]) =>
        fc.tuple(
          fc.tuple(...candidateIds.map(candidate)),
          fc.constant(live),
          fc.constant(max),
          fc.constant(sinceChange),
          fc.constantFrom('trend_low_vol', undefined),
        ),
      )
      .map(([candidates, live, max, sinceChange, currentRegime]): PolicyInput => ({
        candidates: candidates.map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as CandidateFigures),
        live,
        now: NOW,
        ...(sinceChange !== undefined ? { lastChangeAt: NOW - sinceChange } : {}),
        ...(currentRegime !== undefined ? { currentRegime } : {}),
        settings: { ...DEFAULT_ACTIVATION_SETTINGS, maxActiveStrategies: max },
      }));
    const params = { seed: 20260110, numRuns: 400 };

    it('never leaves more live than the maximum, and fills to min(maximum, unbreached candidates) when free to change', () =>
      fc.assert(
        fc.property(policyInput, (i) => {
          const d = run(i);
          expect(d.liveAfter.length).to.be.at.most(i.settings.maxActiveStrategies);
          if (!d.held) expect(d.liveAfter.length).to.equal(Math.min(i.settings.maxActiveStrategies, d.weighed.filter((w) => !w.breached).length));
        }),
        params,
      ));

    it('inside the minimum interval, changes only by forced removals (and at most as many replacements, up to the minimum)', () =>
      fc.assert(
        fc.property(policyInput, (i) => {
          const d = run(i);
          const inside = i.lastChangeAt !== undefined && i.now - i.lastChangeAt < i.settings.minIntervalMs;
          expect(d.held).to.equal(inside);
          if (!inside) return;
          const breachedLive = d.weighed.filter((w) => w.live && w.breached).length;
          const overMax = Math.max(0, d.weighed.filter((w) => w.live && !w.breached).length - i.settings.maxActiveStrategies);
          for (const x of d.deactivate) expect(x.cause).to.be.oneOf(['breached', 'over-maximum']);
          expect(d.deactivate.length).to.equal(breachedLive + overMax);
          expect(d.activate.length).to.be.at.most(breachedLive);
          if (d.activate.length > 0) expect(d.liveAfter.length).to.be.at.most(Math.min(2, i.settings.maxActiveStrategies));
        }),
        params,
      ));

    it('is a pure function of its inputs: the same decision again, and for the candidates in any order', () =>
      fc.assert(
        fc.property(policyInput, fc.integer(), (i, salt) => {
          const shuffled = [...i.candidates].sort((a, b) => ((a.strategyId.charCodeAt(0) * salt) % 7) - ((b.strategyId.charCodeAt(0) * salt) % 7));
          const once = run(i);
          expect(run(i)).to.deep.equal(once);
          expect(run({ ...i, candidates: shuffled, live: [...i.live].reverse() })).to.deep.equal(once);
        }),
        params,
      ));
  });
});
