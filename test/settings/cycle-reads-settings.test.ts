// The daily cycle's filter takes its thresholds from the `settings` stream at a day's first run (real BTCUSDT 1h
// candles, a fresh database): the values set are the ones recorded in LearningCycleStarted and in every verdict's
// thresholds, the filter judges by them (a minimum of 10,000 trades rejects every strategy, naming that check), every
// verdict ends with the deflated Sharpe, and a change of the settings afterwards does not change a started day.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { decodeAll } from '../../application/events/decode-event.js';
import { cycleStream } from '../../application/learning/daily-cycle.js';
import { changeSetting } from '../../application/settings/settings-recorder.js';
import type { LearningCycleStarted } from '../../domain/learning/cycle-started.js';
import type { Actor, Finite, Reason } from '../../domain/primitives/codecs.js';
import type { StrategyEvent } from '../../domain/strategy/events.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { openCycleFixture, runDay, type CycleFixture } from '../learning-cycle/cycle-fixture.js';

const DAY = '2023-06-05';
const AS_OF = new Date(`${DAY}T03:00:00.000Z`);
const N = 6;

describe('the daily cycle reads the filter settings at its start', function () {
  this.timeout(300_000);
  let fx: CycleFixture;
  const set = async (name: string, value: number) => {
    const r = await changeSetting(fx.deps)({
      type: 'ChangeSetting',
      data: { name, value: value as Finite, decidedBy: 'operator:alice' as Actor, reason: 'test' as Reason },
    });
    if (either.isLeft(r)) throw new Error(JSON.stringify(r.left));
  };
  const verdicts = async () => {
    const out = [];
    for (let i = 0; i < N; i++) {
      const decoded = decodeAll<StrategyEvent>(await fx.store.readStream(`strategy-${uuidIds.idFor(`learning-cycle:${DAY}:strategy:${i}`)}`));
      if (either.isLeft(decoded)) throw new Error(decoded.left.message);
      for (const d of decoded.right) if (d.event.type === 'StrategyFiltered') out.push(d.event.data.verdict);
    }
    return out;
  };

  before(async () => {
    fx = await openCycleFixture('cycle_settings', ['binance_BTCUSDT_1h.csv.gz'], AS_OF);
    await set('filter.minTrades', 10_000);
    await set('filter.minWinRate', 0.2);
    await runDay(fx.deps, { asOf: AS_OF, n: N, symbols: ['BTCUSDT'], minHistory: 5 });
  });
  after(async () => {
    await fx?.close();
  });

  it('LearningCycleStarted records the OOS gate and the thresholds it used: the ones set, the defaults for the rest', async () => {
    const decoded = decodeAll<LearningCycleStarted>((await fx.store.readStream(cycleStream(DAY))).filter((r) => r.type === 'LearningCycleStarted'));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    expect(decoded.right[0]!.event.data.filter).to.deep.equal({
      minOosSharpe: 0.5,
      minOosTrades: 3,
      minIsSharpe: 0,
      minSharpe: 0.5,
      minWinRate: 0.2,
      minTotalReturn: -0.5,
      maxTotalReturn: 5,
      minTrades: 10_000,
    });
  });

  it('every verdict is a rejection naming the trade minimum, carries the thresholds, and ends with the deflated Sharpe', async () => {
    const all = await verdicts();
    expect(all).to.have.length(N);
    for (const v of all) {
      expect(v.outcome).to.equal('rejected');
      expect(v.thresholds).to.include({ minTrades: 10_000, minWinRate: 0.2, minSharpe: 0.5 });
      expect(
        v.reasons.some((r) => /^\d+ trades over the backtest window < 10000$/.test(r)),
        v.reasons.join(' | '),
      ).to.equal(true);
      expect(v.reasons[v.reasons.length - 1]).to.match(/^OOS deflated Sharpe( \d\.\d{3}|: not computable) \(6 trials\)$/);
    }
  });

  it('a settings change after the day started does not change the day: a re-run resumes with its recorded values', async () => {
    await set('filter.minTrades', 0);
    const again = await runDay(fx.deps, { asOf: AS_OF });
    expect(again.ran).to.equal(false);
    for (const v of await verdicts()) expect(v.thresholds).to.include({ minTrades: 10_000 });
  });
});
