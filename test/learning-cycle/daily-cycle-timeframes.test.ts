// The daily cycle over several timeframes (real BTCUSDT 1h candles, fresh database): 4h genomes are backtested on
// 4h candles resampled from the stored 1h ones (closed by asOf), recorded like the 1h ones, and the policy it
// stores has an arm for each timeframe.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { decodeAll } from '../../application/events/decode-event.js';
import type { DailyCycleReport } from '../../application/learning/daily-cycle.js';
import { POLICY_STREAM, type LearningPolicyUpdated } from '../../domain/learning/policy-events.js';
import { trainingRows } from '../../projections/training-set/queries.js';
import { openCycleFixture, runDay, type CycleFixture } from './cycle-fixture.js';

const DAY = new Date('2023-06-01T03:00:00.000Z');
const N = 30;

describe('daily learning cycle over 1h and 4h (real candles, fresh database)', function () {
  this.timeout(300_000);
  let fx: CycleFixture;
  let report: DailyCycleReport;

  before(async () => {
    fx = await openCycleFixture('daily_cycle_tf', ['binance_BTCUSDT_1h.csv.gz'], DAY);
    report = await runDay(fx.deps, { asOf: DAY, n: N, symbols: ['BTCUSDT'], timeframes: ['1h', '4h'] });
    await fx.runner.catchUp();
  });
  after(async () => {
    await fx?.close();
  });

  it('generates and backtests genomes on both timeframes, each on its own candles', async () => {
    expect(report.generated).to.equal(N);
    const rows = await trainingRows(fx.pool);
    expect(rows).to.have.length(N);
    const byTimeframe = (tf: string) => rows.filter((r) => r.timeframe === tf);
    expect(byTimeframe('1h').length).to.be.greaterThan(0);
    expect(byTimeframe('4h').length).to.be.greaterThan(0);
    for (const r of rows) {
      expect(r.outOfSampleMetrics, `${r.timeframe} OOS metrics`).to.not.equal(null);
      expect(r.dataFingerprint).to.match(/^[0-9a-f]{64}$/);
    }
    // 14 OOS days (03:00 → 03:00) are 336 hourly bars; of the 84 four-hour bars opening in them the last (00:00 on
    // the cycle day) closes at 04:00, after asOf: still open, so left out.
    const bars = (tf: string) => new Set(byTimeframe(tf).map((r) => r.outOfSampleMetrics?.['bars']));
    expect([...bars('1h')]).to.deep.equal([336]);
    expect([...bars('4h')]).to.deep.equal([83]);
    // Different candles, different data fingerprints.
    const fp = (tf: string) => new Set(byTimeframe(tf).map((r) => r.dataFingerprint));
    expect([...fp('1h')].some((f) => fp('4h').has(f))).to.equal(false);
  });

  it('stores a policy with an arm for each timeframe', async () => {
    const decoded = decodeAll<LearningPolicyUpdated>(await fx.store.readStream(POLICY_STREAM));
    expect(either.isRight(decoded)).to.equal(true);
    const policy = either.isRight(decoded) ? decoded.right[decoded.right.length - 1]!.event.data.policy : undefined;
    expect(policy?.timeframes).to.deep.equal(['1h', '4h']);
    expect(Object.keys(policy?.regimes[report.regime]?.['timeframe'] ?? {}).sort()).to.deep.equal(['1h', '4h']);
  });

  it('refuses a timeframe it cannot build from 1h candles, appending nothing', async () => {
    const before = (await fx.store.readStream(POLICY_STREAM)).length;
    let error: unknown;
    try {
      await runDay(fx.deps, { asOf: new Date('2023-06-02T03:00:00.000Z'), n: 5, symbols: ['BTCUSDT'], timeframes: ['1h', '15m'] });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/timeframes 15m cannot be built from 1h candles/);
    expect((await fx.store.readStream(POLICY_STREAM)).length).to.equal(before);
  });
});
