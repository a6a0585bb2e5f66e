// The daily pair selection (02:00 UTC by default, before the generation cycle): measure every candidate pair
// on the candles that had closed by then, score, choose, and record it all as `PairsSelected` in
// `selection-<day>`. Newly selected pairs get their history downloaded.
import type { Actor } from '../../domain/primitives/codecs.js';
import { eventMetadata } from '../commands/handle-command.js';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { INTERVAL_MS, type Interval } from '../../domain/market/candles.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { candidateMetrics, type CandidateMetrics } from '../../domain/selection/candidate-metrics.js';
import { decideSelection, type SelectionError } from '../../domain/selection/decide.js';
import { PairsSelectedData, selectionStream, type PairsSelected } from '../../domain/selection/events.js';
import type { SelectionRules } from '../../domain/selection/score-pairs.js';
import { decodeAll } from '../events/decode-event.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { Clock } from '../ports/clock.js';
import type { AppendError, EventStore } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';

export interface PairSelectionConfig {
  readonly exchange: string;
  readonly interval: Interval;
  readonly lookbackDays: number;
  readonly rules: Omit<SelectionRules, 'minBars'> & { readonly minCoverage: number };
  /** Restrict the candidates; default: every stored series of the exchange and interval. */
  readonly candidates?: readonly string[];
}

export interface PairSelectionDeps {
  readonly store: EventStore;
  readonly candles: CandleStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Average ±1% order-book depth (quote currency) over the window, when snapshots exist. */
  readonly depth?: (symbol: string, from: number, to: number) => Promise<number | undefined>;
}

export type PairSelectionFailure = SelectionError | AppendError | { readonly kind: 'InvalidSelection'; readonly message: string };

export const utcDay = (t: Date): string => t.toISOString().slice(0, 10);
const BARS_PER_YEAR = (interval: Interval) => (365 * 86_400_000) / INTERVAL_MS[interval];

/** The most recent selection before `day` (looking back up to 60 days), or none. */
export const previousSelection = async (store: EventStore, day: string): Promise<PairsSelected['data'] | undefined> => {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  for (let back = 1; back <= 60; back++) {
    const recorded = await store.readStream(selectionStream(utcDay(new Date(start - back * 86_400_000))));
    if (recorded.length === 0) continue;
    const decoded = decodeAll<PairsSelected>(recorded);
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    return decoded.right[decoded.right.length - 1]?.event.data;
  }
  return undefined;
};

/** Measures the candidates on the candles closed by `asOf` (never later ones). */
export const measureCandidates = async (deps: PairSelectionDeps, config: PairSelectionConfig, asOf: number): Promise<CandidateMetrics[]> => {
  const barMs = INTERVAL_MS[config.interval];
  const windowStart = asOf - config.lookbackDays * 86_400_000;
  const all = await deps.candles.listSeries();
  const symbols = all
    .filter((s) => s.exchange === config.exchange && s.interval === config.interval)
    .map((s) => s.symbol)
    .filter((s) => config.candidates === undefined || config.candidates.includes(s))
    .sort();
  const out: CandidateMetrics[] = [];
  for (const symbol of symbols) {
    // A candle opening at t closes at t + barMs: only those closed by asOf are known at asOf.
    const series = await deps.candles.readSeries({ exchange: config.exchange, symbol, interval: config.interval }, { from: windowStart, to: asOf - barMs + 1 });
    const depth = deps.depth ? await deps.depth(symbol, windowStart, asOf) : undefined;
    const m = candidateMetrics(symbol, series, { from: 0, to: series.length }, BARS_PER_YEAR(config.interval), barMs, depth);
    if (m) out.push(m);
  }
  return out;
};

export const selectPairs = async (
  deps: PairSelectionDeps,
  config: PairSelectionConfig,
  asOf: Date = deps.clock.now(),
): Promise<Either<PairSelectionFailure, PairsSelected['data']>> => {
  const day = utcDay(asOf);
  const stream = selectionStream(day);
  const already = (await deps.store.readStream(stream)).length > 0;
  const candidates = await measureCandidates(deps, config, asOf.getTime());
  const previous = (await previousSelection(deps.store, day))?.selected ?? [];
  const expectedBars = (config.lookbackDays * 86_400_000) / INTERVAL_MS[config.interval];
  const decided = decideSelection(
    {
      type: 'SelectPairs',
      day,
      asOf: asOf.toISOString(),
      exchange: config.exchange,
      interval: config.interval,
      window: { start: new Date(asOf.getTime() - config.lookbackDays * 86_400_000).toISOString(), end: asOf.toISOString() },
      rules: {
        weights: config.rules.weights,
        topN: config.rules.topN,
        minQuoteVolumePerDay: config.rules.minQuoteVolumePerDay,
        maxVolatility: config.rules.maxVolatility,
        minBars: Math.floor(expectedBars * config.rules.minCoverage),
      },
      candidates,
      previous,
    },
    already,
  );
  if (either.isLeft(decided)) return decided;
  const valid = PairsSelectedData.decode(decided.right.data);
  if (either.isLeft(valid)) return either.left({ kind: 'InvalidSelection', message: formatFieldErrors(fieldErrors(valid.left)) });
  const eventId = deps.ids.idFor(`selection:${day}`);
  // The selection is its own cause: correlation and causation are the event's id.
  const metadata = eventMetadata({ actor: 'system:pair-selection' as Actor }, deps.clock.now(), eventId);
  const appended = await deps.store.appendToStream(stream, [{ eventId, type: 'PairsSelected', data: valid.right, metadata }], {
    expectedRevision: 'no_stream',
  });
  if (either.isLeft(appended)) return appended;
  return either.right(valid.right);
};
