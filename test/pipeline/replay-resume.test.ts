// A replay killed in the middle of an hour and started again re-ticks that hour, with the same `now` — never the hours
// before it, which would see in the log what later hours recorded (application/pipeline/pipeline.ts runReplay). The
// case the crash test found (test/pipeline/crash.test.ts, doc/pipeline.md "Crash safety"): the desk records two paper
// verdicts at 12:05 and the process dies before the activation step of that tick. Started again after a checkpoint
// of 00:00, the activation step re-ticked at 01:05 found the verdicts of 12:05 and activated both strategies at
// 01:05 — eleven simulated hours early, with other event ids, times and decisions than the uninterrupted run's. Here
// the verdicts come from a small test step (as the desk records them: EvaluatePaperTrading, keyed by strategy), the
// activation step is the real one on the real ranking read model, and the kill is a step that throws between them.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql } from 'slonik';
import { createActivationStep } from '../../application/pipeline/activation-step.js';
import { runReplay, StepFailed, type ReplayDeps } from '../../application/pipeline/pipeline.js';
import { NOTHING_DUE, type PipelineStep } from '../../application/pipeline/step.js';
import { handleStrategyCommand } from '../../application/strategy/handle-strategy-command.js';
import { replayCatchUp } from '../../apps/pipeline.js';
import { openPlatform, type Platform } from '../../apps/platform.js';
import { replayRange, type ReplayRange } from '../../domain/pipeline/replay.js';
import { simulatedClock } from '../../infrastructure/clock/simulated-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { latestCycleRegime, rankingReadModel } from '../../projections/ranking/queries.js';
import { History } from '../activation/history.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

const range = ((): ReplayRange => {
  const r = replayRange('2026-03-08', '2026-03-10');
  if (either.isLeft(r)) throw new Error(r.left);
  return r.right;
})();
/** The tick at which the paper verdicts are due (and the kill lands): the middle of the second day. */
const VERDICT_AT = new Date('2026-03-09T12:05:00.000Z');
// The same ids in both databases: the logs are compared event for event.
const STRATEGIES = [uuidIds.idFor('replay-resume-test:p1'), uuidIds.idFor('replay-resume-test:p2')];

const open = async (db: TestDatabase): Promise<Platform> => {
  const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', MARKET_DATA_SOURCE: 'none' });
  if (either.isLeft(config)) throw new Error(config.left);
  return openPlatform(config.right, 'replay-resume-test');
};

/** Two strategies in Paper with a week of paper days before the range (test/activation/history.ts). */
const inPaper = async (platform: Platform): Promise<void> => {
  const h = new History(platform.store);
  for (const [i, id] of STRATEGIES.entries()) {
    await h.toPaper(id);
    await h.days(id, 'paper', '2026-03-01', [0.002, -0.001, 0.003, 0.001, -0.002, 0.002, 0.001 * i]);
  }
};

/** The desk's part: from VERDICT_AT on, each strategy's paper period is judged eligible (once: keyed as the desk keys it). */
const verdicts = (platform: Platform, clock: ReplayDeps['clock']): PipelineStep => ({
  name: 'verdicts',
  tick: async (now) => {
    if (now < VERDICT_AT) return NOTHING_DUE;
    let appended = 0;
    for (const id of STRATEGIES) {
      const done = await handleStrategyCommand(
        { store: platform.store, clock, ids: platform.ids },
        {
          type: 'EvaluatePaperTrading',
          strategyId: id as never,
          data: {
            decidedBy: 'system:pipeline' as never,
            reason: 'eligible: 7 full days of paper trading judged against the backtest' as never,
            evaluation: {
              outcome: 'eligible',
              reasons: [],
              paper: { sharpe: 1 },
              backtest: { sharpe: 1.5 },
              thresholds: { minSharpeRatio: 0.5 },
              period: { start: '2026-03-01T00:00:00.000Z', end: '2026-03-08T00:00:00.000Z' },
            },
          } as never,
        },
        { actor: 'system:pipeline' as never, idempotencyKey: `paper-evaluation:${id}` },
      );
      if (either.isLeft(done)) throw new Error(JSON.stringify(done.left));
      appended += done.right.events.length;
    }
    return { appended, notes: [] };
  },
});

/** What kill -9 does between two steps of a tick: the steps before it appended, the ones after it never run. */
const killedAt = (at: Date): PipelineStep => ({
  name: 'kill -9',
  tick: (now) => (now.getTime() === at.getTime() ? Promise.reject(new Error('killed')) : Promise.resolve(NOTHING_DUE)),
});

/** One process's replay of the range: the verdicts, [the kill,] the activation step; the read models its own. */
const replay = async (platform: Platform, kill?: Date) => {
  const clock = simulatedClock(new Date(range.start));
  const catchUp = replayCatchUp(platform);
  const activation = createActivationStep({
    store: platform.store,
    ids: platform.ids,
    ranking: rankingReadModel(platform.pool),
    currentRegime: () => latestCycleRegime(platform.pool),
  });
  const steps = [verdicts(platform, clock), ...(kill === undefined ? [] : [killedAt(kill)]), activation];
  const deps: ReplayDeps = {
    steps,
    log: platform.log,
    caughtUp: catchUp.caughtUp,
    clock,
    command: { store: platform.store, clock, ids: platform.ids },
    tickMinute: 5,
  };
  try {
    return await runReplay(deps, range);
  } finally {
    await catchUp.stop();
  }
};

/** What the replay recorded (the history before the range left out), per stream in revision order. */
const replayed = async (platform: Platform) =>
  (
    await platform.pool.any(
      sql.unsafe`SELECT stream_name, stream_revision::text, event_id, event_type, data, metadata FROM events
                  WHERE (metadata->>'occurredAt')::timestamptz >= ${new Date(range.start).toISOString()}::timestamptz
                  ORDER BY stream_name, events.stream_revision`,
    )
  ).map((e) => ({ ...e }));

describe('replay: killed in the middle of an hour and started again', function () {
  this.timeout(180_000);
  let whole: TestDatabase;
  let killed: TestDatabase;
  const platforms: Platform[] = [];

  before(async () => {
    whole = await freshDatabase('replay_resume_whole');
    killed = await freshDatabase('replay_resume_killed');
  });
  after(async () => {
    for (const p of platforms) await p.close();
    await whole?.drop();
    await killed?.drop();
  });

  it('re-ticks that hour only: the activation step decides at the verdicts’ hour, and the log equals the uninterrupted run’s', async () => {
    const uninterrupted = await open(whole);
    platforms.push(uninterrupted);
    await inPaper(uninterrupted);
    await replay(uninterrupted);
    const expected = await replayed(uninterrupted);
    // The scenario, by hand: both verdicts and both activations at 12:05 on the 9th, nothing else but the checkpoints.
    const at = (type: string) =>
      expected
        .filter((e) => e['event_type'] === type)
        .map((e) => (e['metadata'] as { occurredAt: string }).occurredAt)
        .sort();
    expect(at('PaperTradingEvaluated')).to.deep.equal([VERDICT_AT.toISOString(), VERDICT_AT.toISOString()]);
    expect(at('StrategyActivated')).to.deep.equal([VERDICT_AT.toISOString(), VERDICT_AT.toISOString()]);
    expect(expected.filter((e) => !['PaperTradingEvaluated', 'StrategyActivated', 'ReplayHourCompleted'].includes(String(e['event_type'])))).to.deep.equal([]);

    const platform = await open(killed);
    platforms.push(platform);
    await inPaper(platform);
    const died = await replay(platform, VERDICT_AT).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(died).to.be.instanceOf(StepFailed);
    expect((died as StepFailed).failure.at).to.equal(VERDICT_AT.toISOString());
    // The state the kill left: the verdicts recorded, no activation yet.
    const left = await replayed(platform);
    expect(left.filter((e) => e['event_type'] === 'PaperTradingEvaluated')).to.have.length(2);
    expect(left.filter((e) => e['event_type'] === 'StrategyActivated')).to.deep.equal([]);

    const report = await replay(platform);
    const actual = await replayed(platform);
    expect(actual.filter((e) => e['event_type'] === 'StrategyActivated').map((e) => (e['metadata'] as { occurredAt: string }).occurredAt)).to.deep.equal([
      VERDICT_AT.toISOString(),
      VERDICT_AT.toISOString(),
    ]);
    expect(actual).to.deep.equal(expected);
    // It went on after the checkpoint of the last hour done, 11:00: the hour it was killed in is the first it ticks.
    expect(report.resumedAfter).to.equal('2026-03-09T11:00:00.000Z');
  });
});
