// Configuration from environment variables, decoded with io-ts. A wrong value stops the start with a
// message naming the variable; nothing runs on a half-understood configuration.
import { isIP } from 'node:net';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { BACKTEST_BOUNDS } from '../../domain/backtest/events.js';
import { GENOME_BOUNDS } from '../../domain/strategy/genome.js';
import { ExchangeId } from '../../domain/market/exchange.js';
import { DEFAULT_BACKTEST_LIMITS, type BacktestLimits } from '../../domain/backtest/limits.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import { MAX_GENOME_SYMBOLS } from '../../domain/strategy/limits.js';
import { DEFAULT_RISK_LIMITS, MAX_EXPOSURE_MULTIPLE, type RiskLimits } from '../../domain/risk/limits.js';
import {
  DEFAULT_RUN_SETTINGS,
  FeeRate,
  formatSizing,
  InitialCapital,
  parseSettingNumber,
  parseSizing,
  SlippageRate,
  type RunSettings,
  type Sizing,
} from '../../domain/execution/run-settings.js';
import { loadAlertConfig, type AlertConfig } from '../alerts/alert-config.js';

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

/** A decimal number in (min, max] (a fraction, a multiple of equity, an amount). */
const numberFromString = (min: number, max: number, name: string) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const n = typeof u === 'string' && /^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(u.trim()) ? Number(u) : NaN;
      return Number.isFinite(n) && n > min && n <= max ? t.success(n) : t.failure(u, c, `must be a number in (${min}, ${max}], got "${String(u)}"`);
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

/** A run setting's number, held to the setting's range (domain/execution/run-settings.ts). */
const settingNumber = (codec: t.Type<number, number, unknown>, name: string) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const parsed = typeof u === 'string' ? parseSettingNumber(codec, u) : either.left(`must be ${codec.name}`);
      return either.isRight(parsed) ? t.success(parsed.right) : t.failure(u, c, parsed.left);
    },
    String,
  );

const sizing = (name: string) =>
  new t.Type<Sizing, string, unknown>(
    name,
    (u): u is Sizing => typeof u === 'object' && u !== null,
    (u, c) => {
      const parsed = typeof u === 'string' ? parseSizing(u) : either.left('must be fractional, whole or lot:<size>');
      return either.isRight(parsed) ? t.success(parsed.right) : t.failure(u, c, parsed.left);
    },
    formatSizing,
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
      const parts =
        typeof u === 'string'
          ? u
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
          : [];
      const wrong = parts.filter((x) => !(LEARNING_TIMEFRAME_CHOICES as readonly string[]).includes(x));
      return parts.length > 0 && wrong.length === 0
        ? t.success([...new Set(parts)] as LearningTimeframe[])
        : t.failure(u, c, `must be a comma list of ${LEARNING_TIMEFRAME_CHOICES.join(', ')}, got "${String(u)}"`);
    },
    (xs) => xs.join(','),
  );

/**
 * Where orders go: `paper` (the paper exchange, no keys, the default), `testnet` (the exchange's sandbox through ccxt,
 * testnet keys), `live` (real money: the only mode in which ccxt leaves the sandbox).
 */
export const TRADING_MODES = ['paper', 'testnet', 'live'] as const;
export type TradingMode = (typeof TRADING_MODES)[number];

/** An API key or secret: printable ASCII without spaces; its value never appears in a message. */
const secret = (name: string) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string',
    (u, c) =>
      typeof u === 'string' && /^[\x21-\x7e]{1,4096}$/.test(u)
        ? t.success(u)
        : t.failure(u, c, 'must be printable ASCII without spaces, at most 4096 characters (the value is not shown)'),
    (s) => s,
  );

/** Exchange keys, from the environment only. */
export interface ExchangeCredentials {
  readonly apiKey: string;
  readonly secret: string;
  /** Some exchanges (okx, kucoin) also want a passphrase. */
  readonly password?: string;
}

/** What the HTTP API reads of a request before any route sees it (apps/api/http-limits.ts). */
export interface HttpLimits {
  /** A larger body is refused with 413 before it is read whole. */
  readonly maxBodyBytes: number;
  /** JSON nested deeper than this is refused with 400 before it is parsed. */
  readonly maxJsonDepth: number;
  /** The query string (after `?`), in bytes. */
  readonly maxQueryBytes: number;
  /** Parameters in the query string. */
  readonly maxQueryParams: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { maxBodyBytes: 262_144, maxJsonDepth: 32, maxQueryBytes: 2048, maxQueryParams: 20 };

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
  EXCHANGE: ExchangeId,
  COLLECTOR_SYMBOLS: t.string,
  PAIR_SELECTION_CRON: t.string,
  PAIR_SELECTION_TOP_N: intFromString(1, 500, 'PAIR_SELECTION_TOP_N'),
  ORDER_BOOK_INTERVAL_SECONDS: intFromString(0, 86_400, 'ORDER_BOOK_INTERVAL_SECONDS'),
  RETENTION_HF_DAYS: intFromString(1, 36_500, 'RETENTION_HF_DAYS'),
  RETENTION_DAILY_DAYS: intFromString(1, 36_500, 'RETENTION_DAILY_DAYS'),
  LEARNING_TIMEFRAMES: timeframeList('LEARNING_TIMEFRAMES'),
  API_MAX_BODY_BYTES: intFromString(1024, 64 * 1024 * 1024, 'API_MAX_BODY_BYTES'),
  // The deepest valid body nests 6 levels (a genome's condition operand); 8 leaves room, below it some could not be sent.
  API_MAX_JSON_DEPTH: intFromString(8, 1000, 'API_MAX_JSON_DEPTH'),
  API_MAX_QUERY_BYTES: intFromString(64, 65_536, 'API_MAX_QUERY_BYTES'),
  API_MAX_QUERY_PARAMS: intFromString(1, 1000, 'API_MAX_QUERY_PARAMS'),
  // The grid search itself refuses larger grids (GRID_TOO_LARGE): the API may not accept what the run refuses.
  // The API limits may be set lower than the schema's ceilings, never higher: what a request is allowed must be
  // storable (domain/backtest/events.ts BACKTEST_BOUNDS, domain/strategy/genome.ts GENOME_BOUNDS).
  BACKTEST_MAX_GRID_CELLS: intFromString(1, BACKTEST_BOUNDS.cells, 'BACKTEST_MAX_GRID_CELLS'),
  BACKTEST_MAX_WALK_FORWARD_WINDOWS: intFromString(1, BACKTEST_BOUNDS.windows, 'BACKTEST_MAX_WALK_FORWARD_WINDOWS'),
  BACKTEST_MAX_BACKTESTS_PER_JOB: intFromString(1, 1_000_000, 'BACKTEST_MAX_BACKTESTS_PER_JOB'),
  BACKTEST_MAX_CANDLES_PER_JOB: intFromString(1, 100_000_000, 'BACKTEST_MAX_CANDLES_PER_JOB'),
  GENOME_MAX_SYMBOLS: intFromString(1, GENOME_BOUNDS.symbols, 'GENOME_MAX_SYMBOLS'),
  // The risk limits of an account without its own on its risk stream (doc/risk.md).
  RISK_MAX_POSITION_NOTIONAL: numberFromString(0, 1e15, 'RISK_MAX_POSITION_NOTIONAL'),
  RISK_MAX_SYMBOL_EXPOSURE: numberFromString(0, MAX_EXPOSURE_MULTIPLE, 'RISK_MAX_SYMBOL_EXPOSURE'),
  RISK_MAX_PORTFOLIO_EXPOSURE: numberFromString(0, MAX_EXPOSURE_MULTIPLE, 'RISK_MAX_PORTFOLIO_EXPOSURE'),
  RISK_MAX_OPEN_POSITIONS: intFromString(0, 10_000, 'RISK_MAX_OPEN_POSITIONS'),
  RISK_DAILY_LOSS_LIMIT: numberFromString(0, 1, 'RISK_DAILY_LOSS_LIMIT'),
  RISK_MAX_DRAWDOWN: numberFromString(0, 1, 'RISK_MAX_DRAWDOWN'),
  // The default run settings of a backtest (doc/settings.md); a request or a CLI flag overrides each.
  BACKTEST_TAKER_FEE: settingNumber(FeeRate, 'BACKTEST_TAKER_FEE'),
  BACKTEST_MAKER_FEE: settingNumber(FeeRate, 'BACKTEST_MAKER_FEE'),
  BACKTEST_SLIPPAGE: settingNumber(SlippageRate, 'BACKTEST_SLIPPAGE'),
  BACKTEST_INITIAL_CAPITAL: settingNumber(InitialCapital, 'BACKTEST_INITIAL_CAPITAL'),
  BACKTEST_SIZING: sizing('BACKTEST_SIZING'),
  TRADING_MODE: oneOf(TRADING_MODES, 'TRADING_MODE'),
  TRADING_EXCHANGE: ExchangeId,
  EXCHANGE_API_KEY: secret('EXCHANGE_API_KEY'),
  EXCHANGE_API_SECRET: secret('EXCHANGE_API_SECRET'),
  EXCHANGE_API_PASSWORD: secret('EXCHANGE_API_PASSWORD'),
  // The pipeline's daily hours (UTC): pair selection, then the learning cycle (doc/cycle.md).
  PIPELINE_SELECTION_HOUR: intFromString(0, 23, 'PIPELINE_SELECTION_HOUR'),
  PIPELINE_CYCLE_HOUR: intFromString(0, 23, 'PIPELINE_CYCLE_HOUR'),
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
    readonly exchange: ExchangeId;
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
  /** What one request may ask for; doc/api.md lists each limit with its variable. */
  readonly limits: {
    readonly http: HttpLimits;
    readonly backtest: BacktestLimits;
    /** Symbols per genome accepted by POST /api/strategies and POST /api/backtests. */
    readonly genomeMaxSymbols: number;
  };
  /** The risk limits an account trades under until an operator sets its own (RISK_* variables). */
  readonly risk: { readonly limits: RiskLimits };
  /**
   * The run settings a backtest uses unless its request says otherwise (BACKTEST_TAKER_FEE, …). Bars per year has no
   * variable: it is derived from each series' market, and one number for every market would be wrong for most.
   */
  readonly runSettings: RunSettings;
  /** doc/exchanges.md: modes, keys, sandbox. */
  readonly trading: {
    readonly mode: TradingMode;
    /** The ccxt id orders go to in testnet and live (TRADING_EXCHANGE, default binance). */
    readonly exchange: ExchangeId;
    /** Present in testnet and live (required there), never read in paper. */
    readonly credentials: ExchangeCredentials | undefined;
  };
  /** The pipeline's daily hours, UTC (PIPELINE_SELECTION_HOUR, default 2; PIPELINE_CYCLE_HOUR, default 3). */
  readonly pipeline: { readonly selectionHour: number; readonly cycleHour: number };
  /** Alert channels and thresholds (ALERT_* variables, doc/alerts.md). */
  readonly alerts: AlertConfig;
}

export const loadConfig = (env: Record<string, string | undefined> = process.env): Either<string, Config> => {
  // An empty variable counts as unset, the way shells and compose files usually mean it.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const decoded = Env.decode(present);
  if (either.isLeft(decoded))
    return either.left(
      `Invalid configuration:\n${fieldErrors(decoded.left)
        .map((e) => `  ${e.path}: ${e.message}`)
        .join('\n')}`,
    );
  const e = decoded.right;
  const eventStore = e.EVENT_STORE ?? 'postgres';
  if (eventStore === 'eventstoredb' && !e.EVENTSTORE_CONNECTION_STRING)
    return either.left('Invalid configuration:\n  EVENTSTORE_CONNECTION_STRING: required when EVENT_STORE=eventstoredb');
  const tradingMode = e.TRADING_MODE ?? 'paper';
  if (tradingMode !== 'paper') {
    const missing = (['EXCHANGE_API_KEY', 'EXCHANGE_API_SECRET'] as const).filter((k) => e[k] === undefined);
    if (missing.length > 0)
      return either.left(
        `Invalid configuration:\n${missing
          .map(
            (k) =>
              `  ${k}: required when TRADING_MODE=${tradingMode} (${tradingMode === 'live' ? 'the real account' : "the exchange's testnet account"}'s key, from the environment; TRADING_MODE=paper needs none)`,
          )
          .join('\n')}`,
      );
  }
  const alerts = loadAlertConfig(present);
  if (either.isLeft(alerts)) return alerts;
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
      exchange: e.EXCHANGE ?? ('binance' as ExchangeId),
      defaultSymbols: (e.COLLECTOR_SYMBOLS ?? 'BTCUSDT,ETHUSDT,BNBUSDT')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      pairSelectionCron: e.PAIR_SELECTION_CRON ?? '0 2 * * *',
      topN: e.PAIR_SELECTION_TOP_N ?? 10,
      orderBookIntervalSeconds: e.ORDER_BOOK_INTERVAL_SECONDS ?? 60,
      retentionHighFrequencyDays: e.RETENTION_HF_DAYS ?? 90,
      retentionDailyDays: e.RETENTION_DAILY_DAYS ?? 365,
    },
    learning: { timeframes: e.LEARNING_TIMEFRAMES ?? ['1h'] },
    limits: {
      http: {
        maxBodyBytes: e.API_MAX_BODY_BYTES ?? DEFAULT_HTTP_LIMITS.maxBodyBytes,
        maxJsonDepth: e.API_MAX_JSON_DEPTH ?? DEFAULT_HTTP_LIMITS.maxJsonDepth,
        maxQueryBytes: e.API_MAX_QUERY_BYTES ?? DEFAULT_HTTP_LIMITS.maxQueryBytes,
        maxQueryParams: e.API_MAX_QUERY_PARAMS ?? DEFAULT_HTTP_LIMITS.maxQueryParams,
      },
      backtest: {
        maxGridCells: e.BACKTEST_MAX_GRID_CELLS ?? DEFAULT_BACKTEST_LIMITS.maxGridCells,
        maxWalkForwardWindows: e.BACKTEST_MAX_WALK_FORWARD_WINDOWS ?? DEFAULT_BACKTEST_LIMITS.maxWalkForwardWindows,
        maxBacktestsPerJob: e.BACKTEST_MAX_BACKTESTS_PER_JOB ?? DEFAULT_BACKTEST_LIMITS.maxBacktestsPerJob,
        maxCandlesPerJob: e.BACKTEST_MAX_CANDLES_PER_JOB ?? DEFAULT_BACKTEST_LIMITS.maxCandlesPerJob,
      },
      genomeMaxSymbols: e.GENOME_MAX_SYMBOLS ?? MAX_GENOME_SYMBOLS,
    },
    risk: {
      limits: {
        maxPositionNotional: e.RISK_MAX_POSITION_NOTIONAL ?? DEFAULT_RISK_LIMITS.maxPositionNotional,
        maxSymbolExposure: e.RISK_MAX_SYMBOL_EXPOSURE ?? DEFAULT_RISK_LIMITS.maxSymbolExposure,
        maxPortfolioExposure: e.RISK_MAX_PORTFOLIO_EXPOSURE ?? DEFAULT_RISK_LIMITS.maxPortfolioExposure,
        maxOpenPositions: e.RISK_MAX_OPEN_POSITIONS ?? DEFAULT_RISK_LIMITS.maxOpenPositions,
        dailyLossLimit: e.RISK_DAILY_LOSS_LIMIT ?? DEFAULT_RISK_LIMITS.dailyLossLimit,
        maxDrawdown: e.RISK_MAX_DRAWDOWN ?? DEFAULT_RISK_LIMITS.maxDrawdown,
      } as RiskLimits,
    },
    runSettings: {
      takerFee: e.BACKTEST_TAKER_FEE ?? DEFAULT_RUN_SETTINGS.takerFee,
      makerFee: e.BACKTEST_MAKER_FEE ?? DEFAULT_RUN_SETTINGS.makerFee,
      slippage: e.BACKTEST_SLIPPAGE ?? DEFAULT_RUN_SETTINGS.slippage,
      initialCapital: e.BACKTEST_INITIAL_CAPITAL ?? DEFAULT_RUN_SETTINGS.initialCapital,
      sizing: e.BACKTEST_SIZING ?? DEFAULT_RUN_SETTINGS.sizing,
    },
    trading: {
      mode: tradingMode,
      exchange: e.TRADING_EXCHANGE ?? ('binance' as ExchangeId),
      credentials:
        tradingMode === 'paper' || e.EXCHANGE_API_KEY === undefined || e.EXCHANGE_API_SECRET === undefined
          ? undefined
          : {
              apiKey: e.EXCHANGE_API_KEY,
              secret: e.EXCHANGE_API_SECRET,
              ...(e.EXCHANGE_API_PASSWORD === undefined ? {} : { password: e.EXCHANGE_API_PASSWORD }),
            },
    },
    pipeline: { selectionHour: e.PIPELINE_SELECTION_HOUR ?? 2, cycleHour: e.PIPELINE_CYCLE_HOUR ?? 3 },
    alerts: alerts.right,
  });
};
