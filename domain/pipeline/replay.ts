// Where a replay has got to (doc/pipeline.md): the stream `pipeline-replay-<from>-<to>` holds a ReplayHourCompleted
// at the end of every simulated hour. A replay started again with the same range goes on after the last one: it
// ticks again only the hour it was stopped in, with that hour's time, which the steps' idempotence covers — not the
// hours before it, whose steps would decide on what later hours recorded. A checkpoint at or before the last one, or
// outside the range, is refused: two replays of the same range racing each other cannot both record the same hour
// (the append also carries the expected revision).
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { EpochMs, NonNegativeInt } from '../primitives/codecs.js';
import { UtcDay } from '../risk/events.js';

export const REPLAY_CATEGORY = 'pipeline';
export const replayStream = (from: string, to: string): string => `${REPLAY_CATEGORY}-replay-${from}-${to}`;

export const ReplayEventData = {
  ReplayHourCompleted: t.type({
    /** The replayed range, UTC days: hours from <from> 00:00 (exclusive) to <to> 00:00 (inclusive). */
    from: UtcDay,
    to: UtcDay,
    /** The last simulated hour (a bar close time) every step has been ticked for. */
    hour: EpochMs,
    /** Hours of the range done, this one included. */
    hoursDone: NonNegativeInt,
  }),
} as const;

export type ReplayHourCompleted = { readonly type: 'ReplayHourCompleted'; readonly data: t.TypeOf<typeof ReplayEventData.ReplayHourCompleted> };
export type ReplayEvent = ReplayHourCompleted;

export interface CompleteReplayHour {
  readonly type: 'CompleteReplayHour';
  readonly data: { readonly from: string; readonly to: string; readonly hour: number };
}

export interface ReplayState {
  /** The last hour recorded, undefined before the first checkpoint. */
  readonly lastHour: number | undefined;
}

export interface ReplayRefused {
  readonly kind: 'ReplayRefused';
  readonly message: string;
}

const HOUR_MS = 3_600_000;
const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`);

export const initialReplayState = (): ReplayState => ({ lastHour: undefined });

export const evolveReplay = (_state: ReplayState, event: ReplayEvent): ReplayState => ({ lastHour: event.data.hour });

export const decideReplay = (command: CompleteReplayHour, state: ReplayState): Either<ReplayRefused, readonly ReplayEvent[]> => {
  const { from, to, hour } = command.data;
  const start = dayStart(from);
  const end = dayStart(to);
  if (!(hour > start && hour <= end) || (hour - start) % HOUR_MS !== 0)
    return either.left({ kind: 'ReplayRefused', message: `hour ${new Date(hour).toISOString()} is not a whole hour of the replay ${from} → ${to}` });
  if (state.lastHour !== undefined && hour <= state.lastHour)
    return either.left({
      kind: 'ReplayRefused',
      message: `the replay ${from} → ${to} already recorded ${new Date(state.lastHour).toISOString()}: ${new Date(hour).toISOString()} is not after it`,
    });
  const hoursDone = (hour - start) / HOUR_MS;
  return either.right([{ type: 'ReplayHourCompleted', data: { from, to, hour: hour as EpochMs, hoursDone: hoursDone as NonNegativeInt } }]);
};

export const replayDecider = { decide: decideReplay, evolve: evolveReplay, initialState: initialReplayState };

/** A replay's range as given on the command line (`--replay <from> <to>`, UTC days). */
export interface ReplayRange {
  readonly from: string;
  readonly to: string;
  /** <from> 00:00 and <to> 00:00 UTC, epoch ms. */
  readonly start: number;
  readonly end: number;
  /** Simulated hours: every bar close t with start < t <= end. */
  readonly hours: number;
}

const isUtcDay = (s: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const ms = dayStart(s);
  // Date.parse rolls 2023-02-30 over to March: a day that does not print back as itself does not exist.
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === s;
};

/** Checks `--replay <from> <to>`: two real UTC days (YYYY-MM-DD), <to> after <from>. */
export const replayRange = (from: string | undefined, to: string | undefined): Either<string, ReplayRange> => {
  if (from === undefined || to === undefined) return either.left('--replay needs two days: --replay <from> <to> (YYYY-MM-DD, UTC)');
  for (const [name, day] of [
    ['<from>', from],
    ['<to>', to],
  ] as const)
    if (!isUtcDay(day)) return either.left(`--replay ${name} "${day}" is not a day: write YYYY-MM-DD (UTC), e.g. 2023-09-01`);
  const start = dayStart(from);
  const end = dayStart(to);
  if (end <= start) return either.left(`--replay ${from} ${to}: <to> must come after <from> (the replay runs from <from> 00:00 to <to> 00:00 UTC)`);
  return either.right({ from, to, start, end, hours: (end - start) / HOUR_MS });
};
