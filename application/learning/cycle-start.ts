// The parameters a day's learning cycle runs with (domain/learning/cycle-started.ts): read from the day's
// LearningCycleStarted when a run already started the day — a re-run resumes with them, or is refused when it asks
// for others — else resolved for a first run (defaults, the pair selection, the symbols with candles) and appended
// before its first strategy.
//
// A day that has strategies but no LearningCycleStarted started before the event existed: its parameters were never
// written, and n cannot be read back from a run that stopped part-way. The first run that resumes it records its own
// parameters as the day's (`recordedOnResume`); the strategies stored by the earlier run that differ from what this
// run makes are left as they are and not learned from (daily-cycle.ts, the recording part).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { filterRuleOf, type FilterRule } from '../../domain/learning/cycle.js';
import {
  checkAskedParameters,
  LearningCycleStartedData,
  type CycleParameters,
  type CycleDegradation,
  type CycleParametersDiffer,
  type LearningCycleStarted,
} from '../../domain/learning/cycle-started.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import type { Timeframe } from '../../domain/strategy/genome.js';
import { decodeAll } from '../events/decode-event.js';
import { loadSettings } from '../settings/settings-recorder.js';
import { previousSelection, utcDay } from '../market-data/pair-selection.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore, ExpectedRevision } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';

const DAY = 86_400_000;
export const DEFAULT_CYCLE_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] as const;
export const cycleStream = (cycleId: string) => `cycle-${cycleId}`;

/** What a run asks for; every parameter left out is the day's (a started day) or its default (a first run). */
export interface CycleRequest {
  /** Names the day (its UTC date). A started day keeps its first run's asOf. Default: the clock. */
  readonly asOf?: Date;
  /** Default: the `cycle.genomes` setting (500 unless changed). */
  readonly n?: number;
  /** Default: the latest PairsSelected's selection, else BTCUSDT, ETHUSDT, BNBUSDT (only those with stored candles). */
  readonly symbols?: readonly string[];
  /** Default 60. */
  readonly isDays?: number;
  /** Default 14. */
  readonly oosDays?: number;
  /** Default: the cycle day as a number (20230601), so a day always draws the same genomes. */
  readonly seed?: number;
  /** Default binance. */
  readonly exchange?: string;
  /** Default: the OOS gate and the `filter.*` settings of the `settings` stream (their defaults where never set). */
  readonly filter?: FilterRule;
  readonly minHistory?: number;
  readonly timeframes?: readonly Timeframe[];
  /**
   * The configured timeframes (LEARNING_TIMEFRAMES): what a first run uses when `timeframes` is not asked for. Not
   * an explicit parameter: a started day keeps its own whatever the configuration says now.
   */
  readonly defaultTimeframes?: readonly Timeframe[];
}

export interface CycleStartDeps {
  readonly store: EventStore;
  readonly candles: Pick<CandleStore, 'bounds'>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export interface FixedCycle {
  /** `symbols` may be empty for a first run (no candles: the cycle cannot run). */
  readonly parameters: CycleParameters;
  /** A run started the day before this one (its LearningCycleStarted is stored, or its first strategy). */
  readonly resuming: boolean;
  /** Set for a first run (or a day started before the event existed): append it before the first strategy. */
  readonly toRecord: { readonly expectedRevision: ExpectedRevision } | undefined;
  readonly notes: readonly string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

const windowsOf = (asOf: number, isDays: number, oosDays: number) => {
  const oosFrom = asOf - oosDays * DAY;
  const isFrom = oosFrom - isDays * DAY;
  return { inSample: { start: iso(isFrom), end: iso(oosFrom) }, outOfSample: { start: iso(oosFrom), end: iso(asOf) } };
};

/** Which symbols the cycle trades: those asked for (or selected) that have 1h candles over the whole window. */
const tradableSymbols = async (
  deps: CycleStartDeps,
  wanted: readonly string[],
  exchange: string,
  from: number,
  asOf: number,
  notes: string[],
  leftOut: CycleDegradation[] = [],
) => {
  const out: string[] = [];
  for (const symbol of wanted) {
    const b = await deps.candles.bounds({ exchange, symbol, interval: '1h' });
    if (b === undefined || b.first > from || b.last < asOf - 2 * DAY) {
      const reason =
        b === undefined
          ? `no ${exchange} 1h candles stored: left out of the cycle`
          : `${exchange} 1h candles cover ${iso(b.first)} … ${iso(b.last)}, not the window ${iso(from)} … ${iso(asOf)}: left out of the cycle`;
      notes.push(`${symbol}: no ${exchange} 1h candles over the window: left out`);
      leftOut.push({ symbol, reason } as CycleDegradation);
    } else out.push(symbol);
  }
  return out;
};

/** The day's stored LearningCycleStarted, if any, and the stream's revision (for the append's expectation). */
const readStart = async (store: EventStore, cycleId: string) => {
  const recorded = await store.readStream(cycleStream(cycleId));
  const starts = recorded.filter((r) => r.type === 'LearningCycleStarted');
  const decoded = decodeAll<LearningCycleStarted>(starts);
  if (either.isLeft(decoded)) throw new Error(decoded.left.message);
  return { started: decoded.right[0]?.event.data, revision: recorded[recorded.length - 1]?.revision };
};

export const fixCycleParameters = async (deps: CycleStartDeps, cycleId: string, request: CycleRequest): Promise<Either<CycleParametersDiffer, FixedCycle>> => {
  const { started, revision } = await readStart(deps.store, cycleId);
  if (started !== undefined) {
    // The day's parameters are its first run's: explicit ones must agree, the others are taken from it.
    const asOf = Date.parse(started.asOf);
    const symbols =
      request.symbols === undefined
        ? undefined
        : await tradableSymbols(deps, request.symbols, request.exchange ?? started.exchange, Date.parse(started.inSample.start), asOf, []);
    const refused = checkAskedParameters(started, { ...request, ...(symbols === undefined ? {} : { symbols }) });
    if (refused !== undefined) return either.left(refused);
    const notes =
      request.asOf !== undefined && request.asOf.getTime() !== asOf ? [`as of ${started.asOf}, the day's first run's, not ${request.asOf.toISOString()}`] : [];
    return either.right({ parameters: started, resuming: true, toRecord: undefined, notes });
  }

  // A first run: the defaults, then the symbols that have candles over the windows.
  const notes: string[] = [];
  const asOfDate = request.asOf ?? deps.clock.now();
  const asOf = asOfDate.getTime();
  const isDays = request.isDays ?? 60;
  const oosDays = request.oosDays ?? 14;
  const exchange = request.exchange ?? 'binance';
  const windows = windowsOf(asOf, isDays, oosDays);
  const selection = request.symbols === undefined ? await previousSelection(deps.store, utcDay(new Date(asOf + DAY))) : undefined;
  const wanted = request.symbols ?? selection?.selected ?? DEFAULT_CYCLE_SYMBOLS;
  if (request.symbols === undefined && selection === undefined) notes.push(`no pair selection yet: default symbols ${DEFAULT_CYCLE_SYMBOLS.join(', ')}`);
  const leftOut: CycleDegradation[] = [];
  const symbols = await tradableSymbols(deps, wanted, exchange, Date.parse(windows.inSample.start), asOf, notes, leftOut);
  const timeframes = request.timeframes ?? request.defaultTimeframes;
  // The filter's thresholds are the settings' now (fixed for the day from here on); what the run asks for wins.
  const settings = await loadSettings(deps.store);
  if (either.isLeft(settings)) throw new Error(`learning cycle ${cycleId}: the settings stream cannot be read: ${settings.left.message}`);
  const filter: FilterRule = { ...filterRuleOf(settings.right), ...request.filter };
  // A day whose first strategy is stored without a LearningCycleStarted was started by a run before the event existed.
  const firstStrategy = deps.ids.idFor(`learning-cycle:${cycleId}:strategy:0`);
  const legacy = (await deps.store.readStream(`strategy-${firstStrategy}`, { maxCount: 1 })).length > 0;
  const parameters: CycleParameters = {
    cycleId,
    asOf: asOfDate.toISOString(),
    n: request.n ?? settings.right['cycle.genomes'],
    seed: request.seed ?? Number(cycleId.replaceAll('-', '')),
    exchange,
    symbols,
    isDays,
    oosDays,
    ...windows,
    filter,
    ...(timeframes === undefined ? {} : { timeframes }),
    ...(request.minHistory === undefined ? {} : { minHistory: request.minHistory }),
    ...(legacy ? { recordedOnResume: true } : {}),
    ...(leftOut.length === 0 ? {} : { leftOut }),
  };
  return either.right({ parameters, resuming: legacy, toRecord: { expectedRevision: revision ?? 'no_stream' }, notes });
};

/** The LearningCycleStarted data of a first run's parameters, checked by its codec (a bug if it does not decode). */
export const cycleStartedData = (p: CycleParameters): LearningCycleStartedData => {
  const decoded = LearningCycleStartedData.decode(p);
  if (either.isLeft(decoded))
    throw new Error(`learning cycle ${p.cycleId}: its parameters do not make a LearningCycleStarted: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  return decoded.right;
};
