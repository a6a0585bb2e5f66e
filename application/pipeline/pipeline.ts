// The pipeline loop (doc/pipeline.md): it calls every step's tick, in order — selection, cycle, desk, activation —
// with the time the clock has reached. Live, a cron tick at minute PIPELINE_TICK_MINUTE of every hour calls
// `pipeline.tick(clock.now())` (apps/pipeline.ts); in replay `runReplay` sets a simulated clock to each hour of the
// range in turn and ticks as fast as the machine allows. The loop's position is not state a crash can lose: the
// steps are idempotent, and a replay records a checkpoint (ReplayHourCompleted) at the end of every simulated hour,
// from which a replay of the same range started again goes on.
import { either } from 'fp-ts';
import { replayDecider, replayStream, type CompleteReplayHour, type ReplayEvent, type ReplayRange, type ReplayState } from '../../domain/pipeline/replay.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { handleCommandsOn, loadStream, type CommandDeps, type LoadedStream } from '../commands/handle-command.js';
import type { Clock } from '../ports/clock.js';
import type { PipelineStep } from './step.js';

/** The replay's clock: the loop sets it to each simulated time (infrastructure/clock/simulated-clock.ts). */
export interface SettableClock extends Clock {
  set(at: Date): void;
}

export interface PipelineLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const PIPELINE_ACTOR = 'system:pipeline' as Actor;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface StepFailure {
  readonly step: string;
  /** The pipeline time of the tick (simulated in replay). */
  readonly at: string;
  readonly message: string;
}

export interface TickReport {
  readonly at: string;
  readonly appended: number;
  readonly notes: readonly { readonly step: string; readonly note: string }[];
  readonly failures: readonly StepFailure[];
  readonly ms: number;
}

/** What /health shows of the loop (apps/health.ts). */
export interface PipelineStatus {
  readonly mode: 'live' | 'replay';
  readonly steps: readonly string[];
  readonly ticks: number;
  readonly lastTick: TickReport | null;
  /** The last step that threw, kept until a later tick of that step succeeds. */
  readonly lastError: StepFailure | null;
}

export interface PipelineDeps {
  /** In the order of a pipeline hour: selection, cycle, desk, activation. */
  readonly steps: readonly PipelineStep[];
  readonly log: PipelineLog;
  /**
   * Brings the read models up to the log. Called after a step that appended, so the next step (or the next hour)
   * reads what it wrote — in replay the hours follow each other faster than a projector polls.
   */
  readonly caughtUp?: () => Promise<void>;
}

export interface TickOptions {
  /** Replay: the first step that throws ends the tick with that error (a replay must not skip what a step failed to do). */
  readonly failFast?: boolean;
  /** Told the name of each step as it starts (the progress display's stage). */
  readonly onStage?: (step: string) => void;
}

export class StepFailed extends Error {
  constructor(readonly failure: StepFailure) {
    super(`pipeline step ${failure.step} failed at ${failure.at}: ${failure.message}`);
  }
}

export interface Pipeline {
  tick(now: Date, options?: TickOptions): Promise<TickReport>;
  readonly status: () => PipelineStatus;
}

export const createPipeline = (deps: PipelineDeps, mode: 'live' | 'replay'): Pipeline => {
  let ticks = 0;
  let lastTick: TickReport | null = null;
  let lastError: StepFailure | null = null;
  const tick = async (now: Date, options: TickOptions = {}): Promise<TickReport> => {
    const t0 = performance.now();
    const at = now.toISOString();
    let appended = 0;
    const notes: { step: string; note: string }[] = [];
    const failures: StepFailure[] = [];
    for (const step of deps.steps) {
      options.onStage?.(step.name);
      try {
        const outcome = await step.tick(now);
        appended += outcome.appended;
        for (const note of outcome.notes) notes.push({ step: step.name, note });
        if (outcome.appended > 0) await deps.caughtUp?.();
        if (lastError?.step === step.name) lastError = null;
      } catch (err) {
        const failure: StepFailure = { step: step.name, at, message: err instanceof Error ? err.message : String(err) };
        if (options.failFast) throw new StepFailed(failure);
        // Live: the other steps still run (the desk trades even when the cycle failed); the step is tried again next hour.
        deps.log.error({ err, step: step.name, at }, `pipeline step ${step.name} failed: tried again at the next tick`);
        failures.push(failure);
        lastError = failure;
      }
    }
    const report: TickReport = { at, appended, notes, failures, ms: Math.round(performance.now() - t0) };
    ticks += 1;
    lastTick = report;
    return report;
  };
  return {
    tick,
    status: () => ({ mode, steps: deps.steps.map((s) => s.name), ticks, lastTick, lastError }),
  };
};

/** What the progress display shows, every ~2 s on stderr. */
export interface ReplayProgress {
  readonly simulated: Date;
  readonly stage: string;
  readonly events: number;
  readonly hoursDone: number;
  readonly hours: number;
  readonly wallMs: number;
  /** Hours ticked by this process (a resumed replay started after its checkpoint). */
  readonly hoursThisRun: number;
}

const duration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

export const formatProgress = (p: ReplayProgress): string => {
  const rate = p.wallMs > 0 ? Math.round((p.events * 1000) / p.wallMs) : 0;
  const left = p.hoursThisRun > 0 ? ((p.hours - p.hoursDone) * p.wallMs) / p.hoursThisRun : undefined;
  const date = p.simulated.toISOString().slice(0, 16).replace('T', ' ');
  const pct = ((100 * p.hoursDone) / p.hours).toFixed(1);
  return `replay ${date} UTC | ${p.stage} | ${p.events} events, ${rate}/s | hour ${p.hoursDone}/${p.hours} (${pct}%) | ${left === undefined ? 'time left ?' : `~${duration(left)} left`}`;
};

export interface ReplayDeps extends PipelineDeps {
  readonly clock: SettableClock;
  /** For the checkpoints: the event store, the same (simulated) clock, the id source. */
  readonly command: CommandDeps;
  /** Minutes after each hour the steps are ticked at, as live (PIPELINE_TICK_MINUTE). */
  readonly tickMinute: number;
  /** Called about every `progressEveryMs` with where the replay is. */
  readonly progress?: (p: ReplayProgress) => void;
  readonly progressEveryMs?: number;
  /** After each simulated day's checkpoint (the apps refresh the database's statistics there). */
  readonly dayCompleted?: () => Promise<void>;
}

export interface ReplayReport {
  readonly range: ReplayRange;
  /** The hour the replay started after (the last checkpoint), or null when it started at <from>. */
  readonly resumedAfter: string | null;
  readonly hoursTicked: number;
  /** Events this process appended (the steps' and the checkpoints). */
  readonly events: number;
  readonly wallMs: number;
  readonly notes: readonly { readonly at: string; readonly step: string; readonly note: string }[];
}

/**
 * Ticks every step at every hour of the range (at hour + tickMinute, as live), with the clock set to that time; a
 * ReplayHourCompleted on `pipeline-replay-<from>-<to>` at the end of each simulated hour. Started again after a
 * crash, it goes on after the last checkpoint: the hour it was killed in is ticked again with the same `now`, which
 * the steps' idempotence covers (a second tick at the same `now` appends nothing more). An earlier hour is never
 * ticked again: its steps would decide on what later hours recorded before the kill (the activation step would
 * activate at 01:05 on a paper verdict recorded at 12:05).
 */
export const runReplay = async (deps: ReplayDeps, range: ReplayRange): Promise<ReplayReport> => {
  const stream = replayStream(range.from, range.to);
  const loaded = await loadStream(deps.command.store, stream, replayDecider);
  if (either.isLeft(loaded)) throw new Error(`cannot read ${stream}: ${loaded.left.message}`);
  const lastHour = loaded.right.state.lastHour;
  // The checkpoint stream as read here and appended to since: each hour's checkpoint is decided on it and appended with
  // its revision expected (a second replay of the range writing meanwhile is refused), without a read every hour.
  let checkpoints: LoadedStream<ReplayEvent, ReplayState> = loaded.right;
  const checkpoint = async (hour: number): Promise<number> => {
    const command: CompleteReplayHour = { type: 'CompleteReplayHour', data: { from: range.from, to: range.to, hour } };
    const recorded = await handleCommandsOn(
      deps.command,
      replayDecider,
      stream,
      [{ command, ctx: { actor: PIPELINE_ACTOR, idempotencyKey: `${stream}:${hour}` } }],
      {},
      checkpoints,
    );
    if (either.isLeft(recorded))
      throw new Error(
        `replay ${range.from} → ${range.to}: the checkpoint at ${new Date(hour).toISOString()} was refused (${JSON.stringify(recorded.left)}) — is another replay of the same range running?`,
      );
    // The stream as the handler left it; unknown only when the store took none of the events as new.
    if (recorded.right.stream === undefined)
      throw new Error(`replay ${range.from} → ${range.to}: ${stream} changed under it — is another replay of the same range running?`);
    checkpoints = recorded.right.stream;
    return recorded.right.handled.events.length;
  };
  const first = (lastHour ?? range.start) + HOUR_MS;
  if (lastHour !== undefined)
    deps.log.info({ stream, after: new Date(lastHour).toISOString() }, `replay ${range.from} → ${range.to}: resuming after its last checkpoint`);

  const pipeline = createPipeline(deps, 'replay');
  // A restart may find events appended after the last catch-up (killed in between): the read models the steps read
  // are brought up to the log before the first tick, not left to wait for an append that may never come.
  await deps.caughtUp?.();
  const t0 = performance.now();
  let stage = 'starting';
  let events = 0;
  let hour = first;
  let hoursThisRun = 0;
  const notes: { at: string; step: string; note: string }[] = [];
  const snapshot = (): ReplayProgress => ({
    simulated: deps.clock.now(),
    stage,
    events,
    hoursDone: (hour - range.start) / HOUR_MS - 1,
    hours: range.hours,
    wallMs: performance.now() - t0,
    hoursThisRun,
  });
  const timer = deps.progress === undefined ? undefined : setInterval(() => deps.progress?.(snapshot()), deps.progressEveryMs ?? 2000);
  try {
    for (; hour <= range.end; hour += HOUR_MS) {
      const now = new Date(hour + deps.tickMinute * 60_000);
      deps.clock.set(now);
      const report = await pipeline.tick(now, { failFast: true, onStage: (s) => (stage = s) });
      events += report.appended;
      for (const n of report.notes) notes.push({ at: report.at, ...n });
      // Every hour, not every day: started again, the replay re-ticks the hour it was killed in with that hour's `now`,
      // never earlier hours, which would see in the log what later ones recorded (doc/pipeline.md "Crash safety").
      stage = 'checkpoint';
      events += await checkpoint(hour);
      if ((hour - range.start) % DAY_MS === 0) await deps.dayCompleted?.();
      hoursThisRun += 1;
    }
  } finally {
    if (timer !== undefined) clearInterval(timer);
  }
  deps.clock.set(new Date(range.end + deps.tickMinute * 60_000));
  deps.progress?.({ ...snapshot(), stage: 'done', hoursDone: range.hours });
  return {
    range,
    resumedAfter: lastHour === undefined ? null : new Date(lastHour).toISOString(),
    hoursTicked: hoursThisRun,
    events,
    wallMs: Math.round(performance.now() - t0),
    notes,
  };
};
