// A paper session with its record: the production session (paper-session.ts: runner → executor with order streams →
// the account's risk gate → the paper exchange) replayed over the stored candles of a window, between a
// PaperSessionStarted (what it runs, with the resolved run settings and the default risk limits) and a
// PaperSessionStopped (why, and each account's summary) on `paper-<sessionId>`, both through the one command handler.
// `npm run paper` drives it; a process manager can too. Nothing is recorded for a request that cannot run (no candles
// in the window): the session starts only once its candles are loaded.
//
// Candles before the window warm the indicators up (as a backtest job's do: WARMUP_BARS), and the session trades from
// the window's first candle, so a session with limits that do not bind equals the backtest of the same window.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { operandDataForSeries, type OperandSources } from '../backtest/operand-data-loader.js';
import { operandCoverage } from '../../domain/backtest/operand-coverage.js';
import { OperandDataError, type OperandData } from '../../domain/backtest/operand-data.js';
import { bindStrategy, compileGenome, type CompiledGenome } from '../../domain/backtest/compile.js';
import type { RunSettings } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { INTERVAL_MS, type CandleSeries, type Interval } from '../../domain/market/candles.js';
import type { ExchangeId } from '../../domain/market/exchange.js';
import { paperSessionDecider, type PaperSessionCommand } from '../../domain/paper/decide.js';
import { paperSessionStream, type PaperAccountSummary, type PaperStopReason } from '../../domain/paper/events.js';
import { clipText, type Actor } from '../../domain/primitives/codecs.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { WARMUP_BARS } from '../backtest/run-in-process.js';
import { handleCommand, type CommandDeps, type CommandError } from '../commands/handle-command.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { PaperVenueFactory } from '../ports/paper-venue.js';
import { replayPaperSession, type CandleFeed, type ReplayClock } from './paper-replay.js';
import { startPaperSession, type PaperSession, type SessionFailure } from './paper-session.js';
import { replayedSignals } from './runner-signals.js';
import type { PaperSessionRefused } from '../../domain/paper/decide.js';
import type { EventDecodeFailed } from '../events/decode-event.js';

export interface PaperReplayRequest {
  readonly sessionId: string;
  /** The account's name; with several symbols, one account per symbol: `<account>-<symbol>`. */
  readonly account: string;
  readonly strategyId?: string;
  /** The genome as it trades here (its symbols and timeframe are the session's). */
  readonly genome: Genome;
  /** The market's exchange (the candles', the symbols' format). */
  readonly exchange: ExchangeId;
  readonly window: { readonly from: number; readonly to: number };
  /** Resolved: the configuration's defaults with the caller's overrides. */
  readonly settings: RunSettings;
  /** The limits of an account whose risk stream sets none (configuration: RISK_*). */
  readonly riskLimits: RiskLimits;
  readonly actor: Actor;
}

export interface PaperRunDeps extends CommandDeps {
  readonly candles: Pick<CandleStore, 'readSeries'>;
  readonly venue: PaperVenueFactory;
  /** Dates the session's order and risk events (set to each candle's close); `clock` dates the session's own record. */
  readonly replayClock: ReplayClock;
  /** Daily series and recorded predictions for genomes with such operands (other symbols' candles come from `candles`). */
  readonly operands?: OperandSources;
}

/** One account as it ran: its summary, and what a comparison with the backtest needs. */
export interface PaperAccountRun {
  readonly summary: PaperAccountSummary;
  readonly compiled: CompiledGenome;
  /** The candles loaded (warm-up included) and the window's indices [from, to) in them. */
  readonly series: CandleSeries;
  readonly from: number;
  readonly to: number;
  readonly trades: ReturnType<PaperSession['runner']>['trades'];
  readonly exitReasons: ReturnType<PaperSession['runner']>['exitReasons'];
  readonly equity: Float64Array;
  readonly cash: number;
}

export interface PaperRunOutcome {
  readonly sessionId: string;
  readonly streamName: string;
  readonly candles: number;
  readonly accounts: readonly PaperAccountRun[];
  readonly failures: readonly SessionFailure[];
}

export type PaperRunRefused =
  | { readonly kind: 'no_candles'; readonly symbol: string; readonly message: string }
  | { readonly kind: 'not_recorded'; readonly error: CommandError<PaperSessionRefused> }
  /** An operand of the genome has no data in the window (OPERAND_DATA_MISSING). */
  | { readonly kind: 'operand_data_missing'; readonly operand: string; readonly message: string }
  | EventDecodeFailed;

/** `<account>` for one symbol, `<account>-<symbol>` for each of several. */
export const accountNames = (account: string, symbols: readonly string[]): string[] =>
  symbols.length === 1 ? [account] : symbols.map((s) => `${account}-${s}`);

const iso = (ms: number) => new Date(ms).toISOString();

/** Replays the session over the window's stored candles, recorded from start to stop. Throws only for a bug. */
export const runPaperReplay = async (deps: PaperRunDeps, request: PaperReplayRequest): Promise<Either<PaperRunRefused, PaperRunOutcome>> => {
  const { genome, window, settings } = request;
  const interval: Interval = genome.timeframe;
  const symbols = [...genome.symbols];
  const names = accountNames(request.account, symbols);

  // The candles first: a session without them is refused before anything is recorded.
  const loaded: { symbol: string; series: CandleSeries; from: number; to: number }[] = [];
  for (const symbol of symbols) {
    const key = { exchange: request.exchange, symbol, interval };
    const series = await deps.candles.readSeries(key, { from: Math.max(0, window.from - WARMUP_BARS * INTERVAL_MS[interval]), to: window.to });
    const from = series.openTime.findIndex((t) => t >= window.from);
    if (from < 0 || from >= series.length)
      return either.left({
        kind: 'no_candles',
        symbol,
        message: `no stored ${request.exchange} ${symbol} ${interval} candles in [${iso(window.from)}, ${iso(window.to)})`,
      });
    loaded.push({ symbol, series, from, to: series.length });
  }
  // The external operands' data, checked like a backtest's: none in the window refuses the session before recording.
  const compiled = compileGenome(genome);
  const operandData: (OperandData | undefined)[] = [];
  for (const l of loaded) {
    const data = await operandDataForSeries({ candles: deps.candles, ...deps.operands }, compiled.needs, request.exchange, l.series);
    try {
      operandCoverage(bindStrategy(compiled, l.series, new IndicatorCache(), data), l.from, l.to);
    } catch (e) {
      if (e instanceof OperandDataError) return either.left({ kind: 'operand_data_missing', operand: e.operand, message: e.message });
      throw e;
    }
    operandData.push(data);
  }

  const ctx = { actor: request.actor, correlationId: request.sessionId };
  const stream = paperSessionStream(request.sessionId);
  const record = async (command: PaperSessionCommand) => {
    const handled = await handleCommand(deps, paperSessionDecider, stream, command, ctx);
    return either.isLeft(handled) ? either.left<PaperRunRefused>({ kind: 'not_recorded', error: handled.left }) : either.right(undefined);
  };
  const startedRecord = await record({
    type: 'StartPaperSession',
    data: {
      sessionId: request.sessionId,
      accounts: symbols.map((symbol, k) => ({
        account: names[k]!,
        symbol,
        genome,
        ...(request.strategyId === undefined ? {} : { strategyId: request.strategyId }),
      })),
      interval,
      exchange: request.exchange,
      settings,
      riskLimits: request.riskLimits,
      window: { kind: 'replay', from: window.from, to: window.to },
      startedBy: request.actor,
      at: deps.clock.now().getTime(),
    } as unknown as Extract<PaperSessionCommand, { type: 'StartPaperSession' }>['data'],
  });
  if (either.isLeft(startedRecord)) return startedRecord;

  const cache = new IndicatorCache();
  // Order ids unique across sessions (an order stream is forever): the session id's first 12 hex digits.
  const prefix = `p${request.sessionId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}`;
  deps.replayClock.set(new Date(window.from));
  const started = await startPaperSession(
    { store: deps.store, clock: deps.replayClock, ids: deps.ids, venue: deps.venue },
    {
      run: settings,
      riskLimits: request.riskLimits,
      strategies: loaded.map((l, k) => ({
        account: names[k]!,
        ...(request.strategyId === undefined ? {} : { strategyId: request.strategyId }),
        symbol: l.symbol,
        interval,
        compiled,
        signals: replayedSignals(bindStrategy(compiled, l.series, cache, operandData[k]), l.from, l.to),
        orderIdPrefix: symbols.length === 1 ? prefix : `${prefix}-${k + 1}`,
      })),
    },
  );
  const stop = async (reason: PaperStopReason, candles: number, accounts: PaperAccountSummary[], failures: number, message?: string) =>
    record({
      type: 'StopPaperSession',
      data: {
        sessionId: request.sessionId,
        reason,
        at: deps.clock.now().getTime(),
        candles,
        accounts,
        failures,
        ...(message === undefined ? {} : { message: clipText(message) }),
      } as unknown as Extract<PaperSessionCommand, { type: 'StopPaperSession' }>['data'],
    });
  if (either.isLeft(started)) {
    await stop('failed', 0, [], 0, `the risk streams could not be read: ${JSON.stringify(started.left)}`);
    return started;
  }
  const session = started.right;
  const feeds: CandleFeed[] = loaded.map((l) => ({ symbol: l.symbol, series: l.series, from: l.from, to: l.to }));
  let candles: number;
  try {
    candles = await replayPaperSession(session, feeds, { clock: deps.replayClock });
  } catch (err) {
    await stop('failed', 0, [], session.failures.length, err instanceof Error ? err.message : String(err));
    throw err;
  }

  const accounts: PaperAccountRun[] = loaded.map((l, k) => {
    const runner = session.runner(names[k]!);
    const refused = runner.refusals.filter((r) => r.kind === 'refused').length;
    const rejected = runner.refusals.filter((r) => r.kind === 'rejected').length;
    const finalEquity = runner.balance;
    return {
      summary: {
        account: names[k]!,
        symbol: l.symbol,
        trades: runner.trades.length,
        ordersPlaced: runner.ordersSent,
        ordersRefused: refused,
        ordersRejected: rejected,
        finalEquity,
        totalReturn: finalEquity / settings.initialCapital - 1,
      } as unknown as PaperAccountSummary,
      compiled,
      series: l.series,
      from: l.from,
      to: l.to,
      trades: runner.trades.slice(),
      exitReasons: runner.exitReasons.slice(),
      equity: runner.equity.slice(),
      cash: runner.balance,
    };
  });
  const stopped = await stop(
    'end_of_data',
    candles,
    accounts.map((a) => a.summary),
    session.failures.length,
    `replayed ${candles} candles of [${iso(window.from)}, ${iso(window.to)})`,
  );
  if (either.isLeft(stopped)) return stopped;
  return either.right({ sessionId: request.sessionId, streamName: stream, candles, accounts, failures: session.failures });
};
