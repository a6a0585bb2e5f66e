// Whether the market data source can be reached at all, and when to try it again.
// A few network failures in a row (no answer: DNS, refused connection, timeout, 5xx — never a refusal the exchange
// answered with) make the source unreachable: from then on calls are not even tried until the next attempt is due,
// the delay doubling after each failed attempt up to a cap (1, 2, 4 … 30 min), and the jobs running on it are told
// through an AbortSignal, so they stop their own retries at once. The first success makes it reachable again.
// Time comes from the clock port: the collector's cron ticks are the attempts, and a test clock drives them.
import { left, type Either } from 'fp-ts/lib/Either.js';
import type { Clock } from '../ports/clock.js';
import type { MarketDataError, MarketDataSource } from '../ports/market-data-source.js';

export interface ReachabilityPolicy {
  /** Network failures in a row that make a reachable source unreachable (one blip is the caller's retry's business). */
  readonly failuresBeforeUnreachable: number;
  /** Wait after the source became unreachable before the first new attempt. */
  readonly firstRetryMs: number;
  /** Longest wait between attempts. */
  readonly maxRetryMs: number;
}

export const DEFAULT_REACHABILITY: ReachabilityPolicy = { failuresBeforeUnreachable: 3, firstRetryMs: 60_000, maxRetryMs: 30 * 60_000 };

/** The wait after the n-th failed attempt (n ≥ 1): exponential with a cap. */
export const retryDelayMs = (failedAttempts: number, policy: ReachabilityPolicy): number =>
  Math.min(policy.maxRetryMs, policy.firstRetryMs * 2 ** Math.max(0, failedAttempts - 1));

export type Reachability =
  | { readonly state: 'reachable' }
  | {
      readonly state: 'unreachable';
      readonly exchange: string;
      /** When the first failure of this outage happened. */
      readonly since: Date;
      /** Attempts that failed since it became unreachable (1 when it just did). */
      readonly failedAttempts: number;
      readonly lastError: MarketDataError;
      readonly nextAttemptAt: Date;
    };

export interface ReachabilityListener {
  /** Once per outage, when the source becomes unreachable. */
  unreachable(r: Extract<Reachability, { state: 'unreachable' }>): void;
  /** When an attempt succeeds after an outage. */
  reachableAgain(r: { readonly exchange: string; readonly since: Date; readonly downMs: number }): void;
}

export interface GuardedSource {
  /** The source to give the jobs: calls pass through while it is reachable or an attempt is due. */
  readonly source: MarketDataSource;
  reachability(): Reachability;
  /** True when a call would be tried now (reachable, or the next attempt is due and none is in flight). */
  attemptDue(): boolean;
  /**
   * For a job about to call the source: aborted when the source becomes (or, for a due attempt, stays) unreachable,
   * so the job stops its retries at once.
   */
  signal(): AbortSignal;
}

const isNetworkFailure = (e: MarketDataError) => e.kind === 'NetworkError' || e.kind === 'Timeout';

export const guardSource = (
  inner: MarketDataSource,
  deps: { readonly clock: Clock; readonly listener?: ReachabilityListener; readonly policy?: ReachabilityPolicy },
): GuardedSource => {
  const policy = deps.policy ?? DEFAULT_REACHABILITY;
  const { clock } = deps;
  let state: Reachability = { state: 'reachable' };
  let streak = 0;
  let streakSince: Date | undefined;
  let probing = false;
  let controller = new AbortController();

  const attemptDue = () => state.state === 'reachable' || (!probing && clock.now().getTime() >= state.nextAttemptAt.getTime());

  const failed = (error: MarketDataError, probe: boolean) => {
    const now = clock.now();
    if (state.state === 'unreachable') {
      // A call started before the outage was declared, failing after: not an attempt of the outage.
      if (!probe) return;
      const failedAttempts = state.failedAttempts + 1;
      state = { ...state, failedAttempts, lastError: error, nextAttemptAt: new Date(now.getTime() + retryDelayMs(failedAttempts, policy)) };
      controller.abort(new Error(`${inner.exchange} is still unreachable`));
      return;
    }
    streak += 1;
    streakSince ??= now;
    if (streak < policy.failuresBeforeUnreachable) return;
    const down: Reachability = {
      state: 'unreachable',
      exchange: inner.exchange,
      since: streakSince,
      failedAttempts: 1,
      lastError: error,
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(1, policy)),
    };
    state = down;
    controller.abort(new Error(`${inner.exchange} is unreachable`));
    deps.listener?.unreachable(down);
  };

  const answered = () => {
    streak = 0;
    streakSince = undefined;
    if (state.state === 'unreachable') {
      const { since } = state;
      state = { state: 'reachable' };
      if (controller.signal.aborted) controller = new AbortController();
      deps.listener?.reachableAgain({ exchange: inner.exchange, since, downMs: clock.now().getTime() - since.getTime() });
    }
  };

  const notTried = (symbol: string | undefined): MarketDataError => {
    const s = state as Extract<Reachability, { state: 'unreachable' }>;
    return {
      kind: 'NetworkError',
      exchange: inner.exchange,
      ...(symbol === undefined ? {} : { symbol }),
      message: `not tried: ${inner.exchange} unreachable since ${s.since.toISOString()} (${s.lastError.message}); next attempt at ${s.nextAttemptAt.toISOString()}`,
    };
  };

  const call = async <T>(symbol: string | undefined, fn: () => Promise<Either<MarketDataError, T>>): Promise<Either<MarketDataError, T>> => {
    if (!attemptDue()) return left(notTried(symbol));
    const probe = state.state === 'unreachable';
    if (probe) probing = true;
    try {
      const result = await fn();
      if (result._tag === 'Left' && isNetworkFailure(result.left)) failed(result.left, probe);
      else answered();
      return result;
    } finally {
      if (probe) probing = false;
    }
  };

  const source: MarketDataSource = {
    exchange: inner.exchange,
    listSymbols: () => call(undefined, () => inner.listSymbols()),
    fetchCandles: (symbol, interval, since, limit) => call(symbol, () => inner.fetchCandles(symbol, interval, since, limit)),
    fetchOrderBook: (symbol, depth) => call(symbol, () => inner.fetchOrderBook(symbol, depth)),
    close: () => inner.close(),
  };

  const signal = () => {
    // An attempt that is due gets a live signal, aborted if it fails too.
    if (controller.signal.aborted && state.state === 'unreachable' && attemptDue()) controller = new AbortController();
    return controller.signal;
  };

  return { source, reachability: () => state, attemptDue, signal };
};
