// The pipeline's selection and cycle steps over a simulated day (real BTCUSDT and ETHUSDT 1h candles, fresh
// database): nothing before 02:00 UTC; the selection at 02:00 once; the cycle at 03:00 once, on the day's selected
// pair, with N from the cycle.genomes setting and asOf the tick's time; later ticks append nothing.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { createCycleStep } from '../../application/pipeline/cycle-step.js';
import { createSelectionStep } from '../../application/pipeline/selection-step.js';
import { changeSetting } from '../../application/settings/settings-recorder.js';
import { cycleStream } from '../../application/learning/daily-cycle.js';
import { decodeAll } from '../../application/events/decode-event.js';
import type { LearningCycleStarted } from '../../domain/learning/cycle-started.js';
import type { Actor, Reason } from '../../domain/primitives/codecs.js';
import { selectionStream, type PairsSelected } from '../../domain/selection/events.js';
import { DEFAULT_RULES } from '../../domain/selection/score-pairs.js';
import { type PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { openCycleFixture, type CycleFixture } from '../learning-cycle/cycle-fixture.js';

const DAY = '2023-06-10';
const at = (hh: string) => new Date(`${DAY}T${hh}:00:00.000Z`);

describe('pipeline steps: selection at 02:00, the cycle at 03:00 (real candles)', function () {
  this.timeout(300_000);
  let fx: CycleFixture;

  before(async () => {
    fx = await openCycleFixture('pipeline_cycle_steps', ['binance_BTCUSDT_1h.csv.gz', 'binance_ETHUSDT_1h.csv.gz'], at('00'));
  });
  after(async () => {
    await fx?.close();
  });

  it('runs each once, in order, the cycle on the selected pair with cycle.genomes genomes', async () => {
    const set = await changeSetting(fx.deps)({
      type: 'ChangeSetting',
      data: { name: 'cycle.genomes', value: 6 as never, decidedBy: 'operator:test' as Actor, reason: 'a small replay' as Reason },
    });
    expect(either.isRight(set)).to.equal(true);
    const selection = createSelectionStep({
      store: fx.store,
      candles: fx.deps.candles as PostgresCandleStore,
      clock: fx.clock,
      ids: fx.deps.ids,
      config: { exchange: 'binance', interval: '1h', lookbackDays: 30, rules: { ...DEFAULT_RULES, topN: 1, minCoverage: 0.8 } },
    });
    const cycle = createCycleStep({ cycle: { ...fx.deps, chunkSize: 3 }, options: { minHistory: 5 } });
    const hour = async (hh: string) => {
      fx.clock.set(at(hh));
      const s = await selection.tick(at(hh));
      const c = await cycle.tick(at(hh));
      return [s.appended, c.appended];
    };

    expect(await hour('01')).to.deep.equal([0, 0]);
    const [selected] = await hour('02');
    expect(selected).to.equal(1);
    const picked = decodeAll<PairsSelected>(await fx.store.readStream(selectionStream(DAY)));
    if (either.isLeft(picked)) throw new Error(picked.left.message);
    const pair = picked.right[0]!.event.data.selected;
    expect(pair).to.have.length(1);

    const [again, ran] = await hour('03');
    expect(again).to.equal(0);
    expect(ran).to.be.greaterThan(0);
    const started = decodeAll<LearningCycleStarted>((await fx.store.readStream(cycleStream(DAY))).filter((r) => r.type === 'LearningCycleStarted'));
    if (either.isLeft(started)) throw new Error(started.left.message);
    expect(started.right[0]!.event.data).to.deep.include({ asOf: at('03').toISOString(), n: 6, symbols: pair });
    const types = (await fx.store.readStream(cycleStream(DAY))).map((r) => r.type);
    expect(types[types.length - 1]).to.equal('CycleCompleted');

    expect(await hour('04')).to.deep.equal([0, 0]);
    expect(await hour('23')).to.deep.equal([0, 0]);
  });

  it('a day without candles over its windows: a clear note once, nothing appended, no throw', async () => {
    const cycle = createCycleStep({ cycle: fx.deps, options: { minHistory: 5 } });
    const early = new Date('2000-01-10T03:00:00.000Z');
    fx.clock.set(early);
    const first = await cycle.tick(early);
    expect(first.appended).to.equal(0);
    expect(first.notes).to.have.length(1);
    expect(first.notes[0]).to.match(
      /^learning cycle 2000-01-10: no symbol has binance 1h candles over .* \(BTCUSDT: binance 1h candles cover .*\): nothing to learn from/,
    );
    const later = await cycle.tick(new Date('2000-01-10T04:00:00.000Z'));
    expect(later).to.deep.equal({ appended: 0, notes: [] });
    expect(await fx.store.readStream(cycleStream('2000-01-10'))).to.deep.equal([]);
  });
});
