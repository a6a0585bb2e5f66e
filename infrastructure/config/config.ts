// Configuration from environment variables, decoded with io-ts. A wrong value stops the start with a
// message naming the variable; nothing runs on a half-understood configuration.
import { isIP } from 'node:net';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';

const url = (protocols: string[], name: string) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string',
    (u, c) => {
      if (typeof u !== 'string') return t.failure(u, c, `must be a URL`);
      try {
        const parsed = new URL(u);
        return protocols.includes(parsed.protocol) ? t.success(u) : t.failure(u, c, `must be a ${protocols.join(' or ')} URL, got ${parsed.protocol}`);
      } catch {
        return t.failure(u, c, `must be a URL (${protocols.join(' or ')}), got "${u}"`);
      }
    },
    (s) => s,
  );

const intFromString = (min: number, max: number, name: string) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const n = typeof u === 'string' && /^\d+$/.test(u.trim()) ? Number(u) : NaN;
      return Number.isSafeInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, c, `must be an integer in [${min}, ${max}], got "${String(u)}"`);
    },
    String,
  );

const oneOf = <K extends string>(values: readonly K[], name: string) =>
  new t.Type<K, string, unknown>(
    name,
    (u): u is K => values.includes(u as K),
    (u, c) => (values.includes(u as K) ? t.success(u as K) : t.failure(u, c, `must be one of ${values.join(', ')}, got "${String(u)}"`)),
    String,
  );

/** An address to listen on: an IP literal (127.0.0.1, ::1, 0.0.0.0 for every interface) or `localhost`. */
const listenAddress = (name: string) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string',
    (u, c) =>
      typeof u === 'string' && (isIP(u.trim()) !== 0 || u.trim() === 'localhost')
        ? t.success(u.trim())
        : t.failure(u, c, `must be an IP address to listen on (127.0.0.1, ::1, or 0.0.0.0 for every interface) or localhost, got "${String(u)}"`),
    (s) => s,
  );

/** A comma list of the timeframes the learning cycle can build from 1h candles. */
const LEARNING_TIMEFRAME_CHOICES = ['1h', '4h', '1d'] as const;
type LearningTimeframe = (typeof LEARNING_TIMEFRAME_CHOICES)[number];
const timeframeList = (name: string) =>
  new t.Type<LearningTimeframe[], string, unknown>(
    name,
    (u): u is LearningTimeframe[] => Array.isArray(u),
    (u, c) => {
      const parts = typeof u === 'string' ? u.split(',').map((x) => x.trim()).filter(Boolean) : [];
      const wrong = parts.filter((x) => !(LEARNING_TIMEFRAME_CHOICES as readonly string[]).includes(x));
      return parts.length > 0 && wrong.length === 0
        ? t.success([...new Set(parts)] as LearningTimeframe[])
        : t.failure(u, c, `must be a comma list of ${LEARNING_TIMEFRAME_CHOICES.join(', ')}, got "${String(u)}"`);
    },
    (xs) => xs.join(','),
  );

const Env = t.partial({
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'DATABASE_URL'),
  AMQP_URL: url(['amqp:', 'amqps:'], 'AMQP_URL'),
  PORT: intFromString(0, 65535, 'PORT'),
  HOST: listenAddress('HOST'),
  EVENT_STORE: oneOf(['postgres', 'eventstoredb'] as const, 'EVENT_STORE'),
  EVENTSTORE_CONNECTION_STRING: url(['esdb:', 'esdb+discover:'], 'EVENTSTORE_CONNECTION_STRING'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'LOG_LEVEL'),
  DATA_DIR: t.string,
  EMBEDDED_PG_PORT: intFromString(1, 65535, 'EMBEDDED_PG_PORT'),
  AMQP_EXCHANGE: t.string,
  MARKET_DATA_SOURCE: oneOf(['ccxt', 'none'] as const, 'MARKET_DATA_SOURCE'),
  EXCHANGE: t.string,
  COLLECTOR_SYMBOLS: t.string,
  PAIR_SELECTION_CRON: t.string,
  PAIR_SELECTION_TOP_N: intFromString(1, 500, 'PAIR_SELECTION_TOP_N'),
  ORDER_BOOK_INTERVAL_SECONDS: intFromString(0, 86_400, 'ORDER_BOOK_INTERVAL_SECONDS'),
  RETENTION_HF_DAYS: intFromString(1, 36_500, 'RETENTION_HF_DAYS'),
  RETENTION_DAILY_DAYS: intFromString(1, 36_500, 'RETENTION_DAILY_DAYS'),
  LEARNING_TIMEFRAMES: timeframeList('LEARNING_TIMEFRAMES'),
});

export interface Config {
  /** Undefined: start the embedded PostgreSQL. */
  readonly databaseUrl: string | undefined;
  /** Undefined: use the in-process bus. */
  readonly amqpUrl: string | undefined;
  readonly port: number;
  /** The address the API listens on. 127.0.0.1 by default: the API has no authentication yet. */
  readonly host: string;
  readonly eventStore: 'postgres' | 'eventstoredb';
  readonly eventStoreConnectionString: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where the embedded PostgreSQL keeps its data between runs. */
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  readonly amqpExchange: string;
  readonly marketData: {
    /** `none`: no exchange calls (offline machine); data comes from `npm run import`. */
    readonly source: 'ccxt' | 'none';
    readonly exchange: string;
    /** Collected until the first pair selection exists. */
    readonly defaultSymbols: readonly string[];
    readonly pairSelectionCron: string;
    readonly topN: number;
    /** 0 turns order-book snapshots off. */
    readonly orderBookIntervalSeconds: number;
    readonly retentionHighFrequencyDays: number;
    readonly retentionDailyDays: number;
  };
  readonly learning: {
    /** The timeframes the daily cycle generates genomes for (built from the 1h candles). Default 1h. */
    readonly timeframes: readonly LearningTimeframe[];
  };
}

export const loadConfig = (env: Record<string, string | undefined> = process.env): Either<string, Config> => {
  // An empty variable counts as unset, the way shells and compose files usually mean it.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const decoded = Env.decode(present);
  if (either.isLeft(decoded))
    return either.left(`Invalid configuration:\n${fieldErrors(decoded.left).map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  const e = decoded.right;
  const eventStore = e.EVENT_STORE ?? 'postgres';
  if (eventStore === 'eventstoredb' && !e.EVENTSTORE_CONNECTION_STRING)
    return either.left('Invalid configuration:\n  EVENTSTORE_CONNECTION_STRING: required when EVENT_STORE=eventstoredb');
  return either.right({
    databaseUrl: e.DATABASE_URL,
    amqpUrl: e.AMQP_URL,
    port: e.PORT ?? 8080,
    host: e.HOST ?? '127.0.0.1',
    eventStore,
    eventStoreConnectionString: e.EVENTSTORE_CONNECTION_STRING,
    logLevel: e.LOG_LEVEL ?? 'info',
    dataDir: e.DATA_DIR ?? '.data',
    embeddedPgPort: e.EMBEDDED_PG_PORT ?? 54329,
    amqpExchange: e.AMQP_EXCHANGE ?? 'mastertrade.events',
    marketData: {
      source: e.MARKET_DATA_SOURCE ?? 'ccxt',
      exchange: e.EXCHANGE ?? 'binance',
      defaultSymbols: (e.COLLECTOR_SYMBOLS ?? 'BTCUSDT,ETHUSDT,BNBUSDT').split(',').map((s) => s.trim()).filter(Boolean),
      pairSelectionCron: e.PAIR_SELECTION_CRON ?? '0 2 * * *',
      topN: e.PAIR_SELECTION_TOP_N ?? 10,
      orderBookIntervalSeconds: e.ORDER_BOOK_INTERVAL_SECONDS ?? 60,
      retentionHighFrequencyDays: e.RETENTION_HF_DAYS ?? 90,
      retentionDailyDays: e.RETENTION_DAILY_DAYS ?? 365,
    },
    learning: { timeframes: e.LEARNING_TIMEFRAMES ?? ['1h'] },
  });
};
