// Order book depth snapshots: at a steady cadence, the top levels of each watched pair's book and the
// liquidity metrics derived from them, stored for spread/depth history and pair selection.
// One pair failing (delisted, rate limited) never stops the others; the next round tries it again.
import { Cron } from 'croner';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import type { Clock } from '../ports/clock.js';
import { isTransient, type MarketDataError, type MarketDataSource } from '../ports/market-data-source.js';
import { liquidityMetrics, type BookLevel, type LiquidityMetrics, type OrderBook } from '../../domain/market/liquidity.js';

export interface OrderBookSnapshot {
  readonly exchange: string;
  readonly symbol: string;
  /** UTC epoch ms: the exchange's time for the book, or when it was received. */
  readonly takenAt: number;
  /** Levels asked for per side; a thin book may have fewer. */
  readonly depth: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /** Undefined when the book has an empty side or is crossed: the snapshot is kept, it is a fact too. */
  readonly metrics: LiquidityMetrics | undefined;
}

/** Where snapshots go (PostgreSQL: infrastructure/market-data/order-book-store.ts). */
export interface OrderBookSnapshotRepository {
  /** Stores snapshots; one already stored (same exchange, symbol, takenAt) is skipped. Returns how many were new. */
  save(snapshots: readonly OrderBookSnapshot[]): Promise<number>;
}

export const snapshotOf = (exchange: string, symbol: string, depth: number, book: OrderBook): OrderBookSnapshot => {
  const metrics = liquidityMetrics(book);
  return {
    exchange,
    symbol,
    takenAt: book.timestamp,
    depth,
    bids: book.bids,
    asks: book.asks,
    metrics: isRight(metrics) ? metrics.right : undefined,
  };
};

export interface SnapshotLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SnapshotDeps {
  readonly source: MarketDataSource;
  readonly repository: OrderBookSnapshotRepository;
  readonly clock: Clock;
  readonly log?: SnapshotLog;
}

export interface SnapshotOptions {
  /** `BTCUSDT`-style symbols. */
  readonly symbols: readonly string[];
  /** Levels per side. Default 100. */
  readonly depth?: number;
}

export interface SnapshotRound {
  /** When the round started (clock port), UTC ms. */
  readonly startedAt: number;
  readonly saved: number;
  readonly failures: readonly { readonly symbol: string; readonly error: MarketDataError }[];
}

/** One round: a snapshot of every symbol, fetched one after another (ccxt spaces the requests out). */
export const takeSnapshots = async (deps: SnapshotDeps, options: SnapshotOptions): Promise<SnapshotRound> => {
  const depth = options.depth ?? 100;
  const startedAt = deps.clock.now().getTime();
  const snapshots: OrderBookSnapshot[] = [];
  const failures: { symbol: string; error: MarketDataError }[] = [];
  for (const symbol of options.symbols) {
    const book = await deps.source.fetchOrderBook(symbol, depth);
    if (isLeft(book)) failures.push({ symbol, error: book.left });
    else snapshots.push(snapshotOf(deps.source.exchange, symbol, depth, book.right));
  }
  const saved = snapshots.length === 0 ? 0 : await deps.repository.save(snapshots);
  // A slow or unreachable exchange is tried again next round (and watched by the caller): a detail, not a warning.
  const lasting = failures.filter((f) => !isTransient(f.error));
  if (lasting.length > 0) deps.log?.warn({ failures: lasting }, 'order book snapshots failed for some symbols');
  if (lasting.length < failures.length)
    deps.log?.info({ failures: failures.filter((f) => isTransient(f.error)) }, 'order book snapshots not taken this round (exchange slow or unreachable)');
  return { startedAt, saved, failures };
};

/** Every `everyMs` milliseconds, or on a cron pattern (UTC), e.g. `*\/5 * * * *` for every five minutes. */
export type Cadence = { readonly everyMs: number } | { readonly cron: string };

export interface Snapshotter {
  /** Rounds finished so far. */
  rounds(): number;
  /** Stops the schedule; resolves once a round in progress has finished. */
  stop(): Promise<void>;
}

export const startOrderBookSnapshots = (deps: SnapshotDeps, options: SnapshotOptions & { readonly cadence: Cadence }): Snapshotter => {
  let running: Promise<void> | undefined;
  let finished = 0;
  let stopped = false;

  // A round that outlasts the cadence (a slow exchange) is not doubled up: the tick is skipped.
  const tick = () => {
    if (stopped || running !== undefined) return;
    running = takeSnapshots(deps, options)
      .then(
        (round) => {
          finished += 1;
          deps.log?.info({ saved: round.saved, failed: round.failures.length }, 'order book snapshot round');
        },
        (err: unknown) => deps.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'order book snapshot round failed'),
      )
      .finally(() => {
        running = undefined;
      });
  };

  const { cadence } = options;
  let cancel: () => void;
  if ('cron' in cadence) {
    const job = new Cron(cadence.cron, { timezone: 'UTC' }, tick);
    cancel = () => job.stop();
  } else {
    if (!(cadence.everyMs > 0)) throw new RangeError('cadence.everyMs must be positive');
    const handle = setInterval(tick, cadence.everyMs);
    cancel = () => clearInterval(handle);
  }

  return {
    rounds: () => finished,
    stop: async () => {
      stopped = true;
      cancel();
      await running;
    },
  };
};
