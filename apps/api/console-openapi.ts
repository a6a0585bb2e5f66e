// The OpenAPI entries of the console's routes (console-routes.ts, event-stream.ts; its overrides are the admin routes of
// override-openapi.ts); openapi.ts
// merges them into /openapi.json.
import { INTERVALS } from '../../domain/market/candles.js';
import { MAX_CANDLES, MAX_DAILY_DAYS, MAX_TRACE_BARS } from './console-routes.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const problem = (description: string) => ({ description, content: json(ref('Problem')) });
const str = { type: 'string' };
const instant = { type: 'string', description: 'a UTC day (2024-01-31) or an ISO-8601 UTC instant (2024-01-31T12:00:00Z)' };
const q = (name: string, description: string, schema: unknown = str, required = false) => ({ name, in: 'query', required, description, schema });
const strategyId = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
export const consolePaths = {
  '/api/candles': {
    get: {
      summary: `Stored candles of one series over [from, to), at most ${MAX_CANDLES} bars (for the console's charts)`,
      parameters: [
        q('symbol', 'the symbol (e.g. BTCUSDT)', { type: 'string', pattern: '^[A-Z0-9]{1,40}$' }, true),
        q('from', 'start (inclusive)', instant, true),
        q('to', 'end (exclusive)', instant, true),
        q('interval', 'default 1h', { type: 'string', enum: INTERVALS }),
        q('exchange', 'default the configured MARKET_DATA_EXCHANGE', { type: 'string', pattern: '^[a-z][a-z0-9]{1,31}$' }),
      ],
      responses: {
        '200': { description: '{ exchange, symbol, interval, from, to, candles: [{ t, o, h, l, c, v }] }' },
        '400': problem(`a missing or bad parameter, to not after from, or more than ${MAX_CANDLES} bars (the path names it)`),
      },
    },
  },
  '/api/strategies/{id}/backtest-trace': {
    get: {
      summary:
        "The strategy's latest backtest run again: a learning cycle's two windows (in-sample, out-of-sample) the cycle's way, checked metric by metric against what it recorded; another backtest over its window (the last " +
        `${MAX_TRACE_BARS} bars at most) with the API's run settings. Equity curve and trades of one symbol`,
      parameters: [strategyId, q('symbol', "one of the strategy's symbols (default its first)")],
      responses: {
        '200': {
          description:
            '{ strategyId, symbol, interval, source: cycle | backtest, window, metrics, equity: [[openTime, equity]], trades, reproduced: true | false | null, runs: [{ name, window, metrics, recorded, reproduced, differences: [{ metric, recorded, recomputed }], equity, trades }] }',
        },
        '422': problem('the backtest cannot be re-run: too many bars for a trace, no candles, or data its genome reads is missing'),
        '400': problem('the id is not a UUID, or the strategy does not trade that symbol'),
        '404': problem('no such strategy, no backtest recorded yet, or no candles in its window'),
      },
    },
  },
  '/api/strategies/{id}/record': {
    get: {
      summary: 'The strategy’s paper and live days (trading_days read model) per account, with their statistics',
      parameters: [strategyId],
      responses: {
        '200': { description: '{ strategyId, accounts: [{ account, mode, days, stats }] }' },
        '400': problem('the id is not a UUID'),
        '404': problem('no such strategy'),
      },
    },
  },
  '/api/market-data/daily': {
    get: {
      summary: `Daily series (Fear & Greed, VIX, S&P 500, Nasdaq…) over [from, to), at most ${MAX_DAILY_DAYS} days`,
      parameters: [
        q('from', 'first day', instant, true),
        q('to', 'end (exclusive)', instant, true),
        q('series', 'only this series', { type: 'string', pattern: '^[a-z0-9_]{1,40}$' }),
      ],
      responses: {
        '200': { description: '{ from, to, series: { <name>: [{ day, value, label }] } }' },
        '400': problem('a missing or bad parameter, or too long a range'),
      },
    },
  },
  '/api/pipeline/schedule': {
    get: { summary: 'When the next daily cycle runs (PIPELINE_CYCLE_HOUR)', responses: { '200': { description: '{ now, cycleHour, nextCycleAt }' } } },
  },
  '/api/stream': {
    get: {
      summary:
        'Server-sent events: a `change` notice { type, stream, position } per event appended to the log (id = its global position); `hello` on connect, `reset` when a resuming client missed too much; Last-Event-ID resumes',
      parameters: [{ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^\\d+\\.\\d+$' } }],
      responses: { '200': { description: 'text/event-stream' }, '400': problem('a Last-Event-ID this stream did not send') },
    },
  },
};
