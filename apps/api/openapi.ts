// The OpenAPI 3.1 description of the HTTP API, with an example body for every command.
import { INDICATORS } from '../../domain/indicators/catalog.js';
import { REGIMES } from '../../domain/learning/policy/regime.js';
import { ORIGINS, STRATEGY_TYPES, TIMEFRAMES } from '../../domain/strategy/genome.js';
import { RUN_SETTING_BOUNDS } from '../../domain/execution/run-settings.js';
import { LIFECYCLE_ROUTES, LIFECYCLE_ROUTE_NAMES } from './command-bodies.js';
import { exampleBacktest, exampleCommands, exampleGenerate } from './examples.js';
import { tradingPaths, tradingSchemas } from './trading-openapi.js';
import { consolePaths } from './console-openapi.js';
import { alertPaths, alertSchemas } from './alert-openapi.js';
import { predictionPaths } from './prediction-openapi.js';
import { overridePaths, securitySchemes } from './override-openapi.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, example?: unknown) => ({ 'application/json': { schema, ...(example === undefined ? {} : { example }) } });
const problem = (description: string) => ({ description, content: json(ref('Problem')) });
const fraction = { type: 'number', exclusiveMinimum: 0, maximum: 1 };
const numberMap = { type: 'object', additionalProperties: { type: 'number' } };

const operand = {
  oneOf: [
    { type: 'object', required: ['indicator'], properties: { indicator: { type: 'string' }, output: { type: 'string' } } },
    { type: 'object', required: ['price'], properties: { price: { enum: ['open', 'high', 'low', 'close', 'volume'] } } },
    { type: 'object', required: ['value'], properties: { value: { type: 'number' } } },
    { type: 'object', required: ['prediction'], properties: { prediction: { enum: ['expected_return', 'up_probability'] } } },
  ],
};
const conditionSet = {
  type: 'object',
  required: ['mode', 'conditions'],
  properties: {
    mode: { enum: ['all', 'any'] },
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['left', 'op', 'right'],
        properties: { left: operand, op: { enum: ['gt', 'gte', 'lt', 'lte', 'crosses_above', 'crosses_below'] }, right: operand },
      },
    },
  },
};

const { maxRate, maxCapital, maxBarsPerYear, maxLotSize } = RUN_SETTING_BOUNDS;
const rate = (description: string) => ({ type: 'number', minimum: 0, exclusiveMaximum: maxRate, description });
const runSettingFields = {
  takerFee: rate('fee rate of market orders, per side (0.001 = 0.1%); default BACKTEST_TAKER_FEE'),
  makerFee: rate('fee rate of limit orders (the take-profit), per side; default BACKTEST_MAKER_FEE'),
  slippage: rate('adverse price move on market and stop fills, as a fraction of the price; default BACKTEST_SLIPPAGE'),
  initialCapital: {
    type: 'number',
    exclusiveMinimum: 0,
    maximum: maxCapital,
    description: 'starting cash in the quote currency; default BACKTEST_INITIAL_CAPITAL',
  },
  sizing: {
    description: 'how a quantity is rounded: fractional units, whole units, or down to a multiple of the lot size; default BACKTEST_SIZING',
    oneOf: [
      { type: 'object', required: ['mode'], properties: { mode: { const: 'fractional' } }, additionalProperties: false },
      { type: 'object', required: ['mode'], properties: { mode: { const: 'whole' } }, additionalProperties: false },
      {
        type: 'object',
        required: ['mode', 'lotSize'],
        properties: { mode: { const: 'lot' }, lotSize: { type: 'number', exclusiveMinimum: 0, maximum: maxLotSize } },
        additionalProperties: false,
      },
    ],
  },
};
const barsPerYear = { type: 'number', exclusiveMinimum: 0, maximum: maxBarsPerYear };
/** doc/settings.md */
const RUN_SETTINGS_SCHEMAS = {
  RunSettingsOverrides: {
    type: 'object',
    description: 'run settings (doc/settings.md): each field overrides the configured default',
    properties: {
      ...runSettingFields,
      barsPerYear: {
        ...barsPerYear,
        description: "bars per year for annualised metrics; default derived from the series' market (8760 for 1h crypto, 252 for daily equities)",
      },
    },
    additionalProperties: false,
  },
  AppliedRunSettings: {
    type: 'object',
    required: ['takerFee', 'makerFee', 'slippage', 'initialCapital', 'sizing', 'barsPerYear', 'barsPerYearSource'],
    properties: { ...runSettingFields, barsPerYear, barsPerYearSource: { enum: ['derived', 'overridden'] } },
  },
};

const jobIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const rowIndexParameter = { name: 'index', in: 'path', required: true, description: 'the cell or window index', schema: { type: 'integer', minimum: 0 } };
const pageParameters = (sortKeys: readonly string[], defaultSort: string) => [
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
  {
    name: 'sort',
    in: 'query',
    description: 'the key to sort by, prefixed with - for descending; null values come last, ties by index',
    schema: { enum: sortKeys.flatMap((k) => [k, `-${k}`]), default: defaultSort },
  },
];
const pageSchema = (rows: string, item: unknown) => ({
  type: 'object',
  required: ['jobId', 'status', 'source', 'total', 'offset', 'limit', 'sort', rows, 'next', 'fullDetail'],
  properties: {
    jobId: { type: 'string' },
    kind: { type: 'string' },
    status: { enum: ['requested', 'completed', 'failed'] },
    source: { enum: ['read_model', 'stream'] },
    total: { type: 'integer' },
    offset: { type: 'integer' },
    limit: { type: 'integer' },
    sort: { type: 'string' },
    [rows]: { type: 'array', items: item },
    next: { type: ['string', 'null'], description: 'the next page, null on the last one' },
    fullDetail: { type: 'string', description: "how to get a row's full backtest" },
  },
});
const headline = {
  type: 'object',
  description: 'headline metrics (finite values only; a missing one had no value)',
  properties: { sharpe: { type: 'number' }, totalReturn: { type: 'number' }, maxDrawdown: { type: 'number' }, tradeCount: { type: 'number' } },
};
const barRange = { type: 'object', properties: { from: { type: 'integer' }, to: { type: 'integer' }, bars: { type: 'integer' } } };

const schemas = {
  Problem: {
    type: 'object',
    required: ['error', 'message'],
    properties: {
      error: { type: 'string' },
      message: { type: 'string' },
      errors: { type: 'array', maxItems: 50, items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      moreErrors: { type: 'integer', description: 'problems found beyond the 50 listed' },
      currentRevision: { type: ['integer', 'null'] },
    },
  },
  GridCell: {
    type: 'object',
    properties: {
      index: { type: 'integer', description: 'place in grid order (the first path varies slowest)' },
      params: numberMap,
      score: { type: ['number', 'null'] },
      rank: { type: ['integer', 'null'], description: '1 = best' },
      skipped: { type: ['string', 'null'], description: 'why the cell was not run (its genome is invalid)' },
      headline,
    },
  },
  WalkForwardWindow: {
    type: 'object',
    properties: {
      index: { type: 'integer' },
      inSample: barRange,
      outOfSample: barRange,
      params: { oneOf: [{ type: 'null' }, numberMap] },
      inSampleScore: { type: ['number', 'null'] },
      inSampleHeadline: headline,
      outOfSampleHeadline: headline,
    },
  },
  AnalysisSummary: {
    oneOf: [
      {
        type: 'object',
        description: 'a grid search',
        properties: {
          kind: { const: 'grid_search' },
          spec: { type: 'object' },
          metric: { type: 'string' },
          best: { description: 'the rank-1 cell and the URL of its full-detail request', oneOf: [{ type: 'null' }, { type: 'object' }] },
          cells: {
            type: 'object',
            properties: { total: { type: 'integer' }, scored: { type: 'integer' }, skipped: { type: 'integer' }, href: { type: 'string' } },
          },
          fullDetail: { type: 'string' },
        },
      },
      {
        type: 'object',
        description: 'a walk-forward',
        properties: {
          kind: { const: 'walk_forward' },
          spec: { type: 'object' },
          outOfSampleMetrics: numberMap,
          windows: { type: 'object', properties: { total: { type: 'integer' }, href: { type: 'string' } } },
          fullDetail: { type: 'string' },
        },
      },
    ],
  },
  ...RUN_SETTINGS_SCHEMAS,
  BacktestRequestForRow: {
    type: 'object',
    properties: {
      jobId: { type: 'string' },
      request: {
        type: 'object',
        properties: {
          method: { const: 'POST' },
          path: { const: '/api/backtests' },
          body: { type: 'object', description: 'a POST /api/backtests body: genome (with the row parameters), symbols, interval, exchange, period' },
        },
      },
    },
  },
  Genome: {
    type: 'object',
    description:
      'A strategy genome. Indicator parameters must lie in the ranges of the indicator catalog; conditions may only reference declared indicator ids.',
    required: ['strategyType', 'direction', 'indicators', 'entry', 'exit', 'exitRules', 'risk', 'timeframe', 'symbols', 'lineage'],
    properties: {
      strategyType: { enum: [...STRATEGY_TYPES] },
      direction: { enum: ['long_only', 'long_short'] },
      indicators: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'name', 'params'],
          properties: { id: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,31}$' }, name: { enum: Object.keys(INDICATORS) }, params: numberMap },
        },
      },
      entry: conditionSet,
      exit: conditionSet,
      exitRules: { type: 'object', properties: { takeProfit: fraction, stopLoss: fraction, trailingStop: fraction } },
      risk: {
        type: 'object',
        required: ['positionSize', 'riskPerTrade'],
        properties: { positionSize: fraction, riskPerTrade: fraction, maxOpenPositions: { type: 'integer', minimum: 0 } },
      },
      timeframe: { enum: [...TIMEFRAMES] },
      symbols: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Z0-9]{5,20}$' } },
      lineage: {
        type: 'object',
        required: ['generation', 'parentIds', 'origin'],
        properties: {
          generation: { type: 'integer', minimum: 0 },
          parentIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
          origin: { enum: [...ORIGINS] },
          operators: { type: 'array', items: { type: 'string' } },
          seed: { type: 'integer', minimum: 0 },
          cycleId: { type: 'string' },
        },
      },
    },
  },
  IndicatorCatalog: { description: 'Indicators and parameter ranges', example: INDICATORS },
  CommandAccepted: {
    type: 'object',
    properties: { id: { type: 'string', format: 'uuid' }, revision: { type: 'integer' }, state: { type: 'string' }, events: { type: 'array' } },
  },
  ActivationDecision: {
    type: 'object',
    description:
      "The activation policy's decision (doc/activation.md). On activate, weights, activations and deactivations are required and the decider checks: maxActiveStrategies in 1–10, activeStrategies − deactivations + activations ≤ maxActiveStrategies, the strategy among the activations, score = Σ weights × scoreParts (±1e-9); a refusal is a 422 DecisionRefused naming the rule.",
    required: ['score', 'scoreParts', 'candidates', 'thresholds', 'maxActiveStrategies', 'activeStrategies'],
    properties: {
      score: { type: 'number' },
      scoreParts: numberMap,
      weights: numberMap,
      inputs: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: ['number', 'string'] } } },
      missing: { type: 'array', items: { type: 'string' } },
      candidates: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            strategyId: { type: 'string', format: 'uuid' },
            score: { type: 'number' },
            parts: numberMap,
            live: { type: 'boolean' },
            breached: { type: 'boolean' },
          },
        },
      },
      thresholds: numberMap,
      maxActiveStrategies: { type: 'integer', minimum: 0 },
      activeStrategies: { type: 'integer', minimum: 0 },
      activations: { type: 'array', items: { type: 'string', format: 'uuid' } },
      deactivations: { type: 'array', items: { type: 'string', format: 'uuid' } },
      decidedAt: { type: 'integer', description: 'epoch ms' },
      lastChangeAt: { type: 'integer', description: 'epoch ms' },
      held: { type: 'boolean' },
      currentRegime: { type: 'string' },
    },
  },
  LearningCycle: {
    type: 'object',
    properties: {
      cycleId: { type: 'string' },
      regime: { type: ['string', 'null'], enum: [...REGIMES, null] },
      asOf: { type: ['string', 'null'], format: 'date-time' },
      rows: { type: ['integer', 'null'] },
      scoredRows: { type: ['integer', 'null'] },
      overall: {
        type: ['object', 'null'],
        properties: { count: { type: 'integer' }, meanSharpe: { type: 'number' }, medianSharpe: { type: 'number' }, successRate: { type: 'number' } },
      },
      recordedAt: { type: ['string', 'null'], format: 'date-time' },
      policyUpdates: { type: ['integer', 'null'] },
    },
  },
  LearningCycleDetail: {
    allOf: [
      { $ref: '#/components/schemas/LearningCycle' },
      {
        type: 'object',
        properties: {
          policyResults: { type: ['integer', 'null'] },
          policyRecordedAt: { type: ['string', 'null'], format: 'date-time' },
          insights: { type: ['object', 'null'], description: 'the Insights of domain/learning/insights/insights.ts, as LearningInsightsRecorded carried it' },
        },
      },
    ],
  },
  LearningPolicySummary: {
    type: 'object',
    properties: {
      cycleId: { type: 'string' },
      regime: { type: ['string', 'null'] },
      asOf: { type: ['string', 'null'], format: 'date-time' },
      updates: { type: 'integer' },
      results: { type: ['integer', 'null'] },
      recordedAt: { type: 'string', format: 'date-time' },
      threshold: { type: 'number' },
      decay: { type: 'number' },
      prior: { type: 'object', properties: { alpha: { type: 'number' }, beta: { type: 'number' } } },
      timeframes: { type: 'array', items: { type: 'string' } },
      regimes: {
        type: 'object',
        description: 'regime → gene → arms, best posterior mean first',
        additionalProperties: {
          type: 'object',
          additionalProperties: {
            type: 'array',
            items: { type: 'object', properties: { arm: { type: 'string' }, alpha: { type: 'number' }, beta: { type: 'number' }, mean: { type: 'number' } } },
          },
        },
      },
    },
  },
};

const commonCommandFields = {
  expectedRevision: { type: 'integer', minimum: 0, description: 'the revision you last saw; 409 if the strategy moved on' },
  correlationId: { type: 'string' },
  actor: { type: 'string', pattern: '^(system|operator|worker):[A-Za-z0-9._@-]{1,100}$' },
};

const commandBodySchema = (name: (typeof LIFECYCLE_ROUTE_NAMES)[number]) => {
  const operator = LIFECYCLE_ROUTES[name].operator;
  const extra: Record<string, unknown> =
    ({
      'record-backtest': { result: { type: 'object', required: ['metrics', 'window', 'timeframe', 'symbols', 'dataFingerprint', 'engineVersion'] } },
      filter: { verdict: { type: 'object', required: ['outcome', 'reasons', 'thresholds'] } },
      activate: { decision: ref('ActivationDecision') },
      deactivate: { decision: ref('ActivationDecision') },
    }[name as string] as Record<string, unknown> | undefined) ?? {};
  const required = [...(operator ? ['actor', 'reason'] : []), ...Object.keys(extra).filter((k) => name !== 'deactivate' || k !== 'decision')];
  return { type: 'object', required, properties: { ...commonCommandFields, ...(operator ? { reason: { type: 'string', minLength: 1 } } : {}), ...extra } };
};

const idempotencyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 200 },
  description: 'a retry with the same key returns the first answer and appends nothing',
};
/** Answers every body-taking route can give before the route runs (apps/api/http-limits.ts; doc/api.md, Limits). */
const transportProblems = {
  '413': problem('the body is larger than API_MAX_BODY_BYTES'),
  '415': problem('the body is not application/json in UTF-8'),
};
const cycleIdSchema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', example: '2024-01-31' };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

export const openApiDocument = () => ({
  openapi: '3.1.0',
  info: {
    title: 'MasterTrade API',
    version: '0.1.0',
    description: 'Commands append events to strategy streams through the lifecycle decider; queries read the projections and the streams.',
  },
  paths: {
    '/api/strategies': {
      post: {
        summary: 'Generate a strategy from a genome',
        parameters: [idempotencyHeader],
        requestBody: {
          required: true,
          content: json(
            {
              type: 'object',
              required: ['genome'],
              properties: { genome: ref('Genome'), actor: commonCommandFields.actor, correlationId: { type: 'string' } },
            },
            exampleGenerate,
          ),
        },
        responses: {
          '201': { description: 'created', content: json(ref('CommandAccepted')) },
          '400': problem('the body does not decode, nests deeper than API_MAX_JSON_DEPTH, or has more symbols than GENOME_MAX_SYMBOLS (field paths in errors)'),
          '422': problem('Idempotency-Key reused for another request'),
          ...transportProblems,
        },
      },
      get: {
        summary: 'List strategies (read model)',
        parameters: [
          { name: 'state', in: 'query', schema: { enum: ['Generated', 'Backtested', 'Filtered', 'Paper', 'Live', 'Retired'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 1000, default: 100 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: { '200': { description: 'strategies' }, '400': problem('bad query parameter') },
      },
    },
    '/api/strategies/{id}': {
      get: {
        summary: 'One strategy: state and revision from its stream, the rest from the read model',
        parameters: [idParam],
        responses: { '200': { description: 'the strategy' }, '404': problem('unknown strategy'), '400': problem('id is not a UUID') },
      },
    },
    '/api/strategies/{id}/events': {
      get: {
        summary: "The strategy's events in stream order",
        parameters: [idParam],
        responses: { '200': { description: 'events' }, '404': problem('unknown strategy') },
      },
    },
    ...Object.fromEntries(
      LIFECYCLE_ROUTE_NAMES.map((name) => [
        `/api/strategies/{id}/${name}`,
        {
          post: {
            summary: `Lifecycle command ${name}${LIFECYCLE_ROUTES[name].operator ? ' (operator command: actor and reason required)' : ''}`,
            parameters: [idParam, idempotencyHeader],
            requestBody: { required: true, content: json(commandBodySchema(name), exampleCommands[name]) },
            responses: {
              '200': { description: 'accepted', content: json(ref('CommandAccepted')) },
              '400': problem('the body does not decode (field paths in errors)'),
              '404': problem('unknown strategy'),
              '409': problem('wrong expected revision or illegal transition (currentRevision given)'),
              '422': problem('Idempotency-Key reused for another request'),
              ...transportProblems,
            },
          },
        },
      ]),
    ),
    '/api/audit/activations': {
      get: {
        summary: 'Every activation and deactivation with everything the decision used',
        parameters: [
          { name: 'strategyId', in: 'query', schema: { type: 'string', format: 'uuid' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 5000, default: 200 } },
        ],
        responses: { '200': { description: 'audit rows' }, '400': problem('bad query parameter') },
      },
    },
    '/api/backtests': {
      post: {
        summary: 'Request a backtest (a genome or a stored strategy) — plain, walk-forward or grid search; runs on the worker pool or the RabbitMQ work queue',
        parameters: [idempotencyHeader],
        requestBody: {
          required: true,
          content: json(
            {
              type: 'object',
              required: ['period'],
              properties: {
                genome: ref('Genome'),
                strategyId: { type: 'string', format: 'uuid' },
                symbols: { type: 'array', items: { type: 'string' } },
                interval: { enum: [...TIMEFRAMES] },
                exchange: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'an exchange with stored candles; default EXCHANGE' },
                period: {
                  type: 'object',
                  required: ['from', 'to'],
                  properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
                },
                kind: { enum: ['single', 'walk_forward', 'grid_search'] },
                walkForward: { type: 'object', description: 'in-sample / out-of-sample window sizes in bars, step, anchored' },
                gridSearch: { type: 'object', description: 'parameter paths → values, the metric to rank by' },
                settings: ref('RunSettingsOverrides'),
                actor: commonCommandFields.actor,
                correlationId: { type: 'string', minLength: 1 },
              },
              additionalProperties: false,
            },
            exampleBacktest,
          ),
        },
        responses: {
          '202': { description: 'accepted: { jobId }' },
          '400': problem(
            'the body does not decode (an unknown field anywhere is an error at its path), a setting is out of range, a symbol is not spelt the way its exchange spells it, or the body asks for what is not stored or over a limit: unknown symbol or exchange, period in the future or outside the stored candles, unknown grid path or metric, too many cells, windows, backtests, candles or symbols (field paths in errors; doc/api.md, Limits)',
          ),
          '404': problem('unknown strategy'),
          ...transportProblems,
        },
      },
      get: {
        summary: 'Backtest jobs, newest first',
        parameters: [
          { name: 'strategyId', in: 'query', schema: { type: 'string', format: 'uuid' } },
          { name: 'status', in: 'query', schema: { enum: ['requested', 'completed', 'failed'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
        ],
        responses: { '200': { description: 'jobs' } },
      },
    },
    '/api/backtests/{id}': {
      get: {
        summary:
          'A backtest job: status and, when done, metrics, down-sampled equity curve and trades; for a grid search or walk-forward its summary (the best cell, how many cells or windows, where to page them), never the whole table',
        parameters: [jobIdParameter],
        responses: {
          '200': {
            description: 'the job',
            content: json({
              type: 'object',
              properties: {
                analysis: { oneOf: [{ type: 'null' }, ref('AnalysisSummary')] },
                settings: {
                  oneOf: [{ type: 'null' }, ref('AppliedRunSettings')],
                  description: 'the run settings the result was computed with (null before it is done, or for results recorded before settings existed)',
                },
              },
            }),
          },
          '400': problem('id is not a UUID (path id)'),
          '404': problem('unknown job'),
        },
      },
    },
    '/api/backtests/{id}/cells': {
      get: {
        summary: "A grid search's cells, paged and sorted: parameters, score, rank, headline metrics (or why the cell was skipped)",
        parameters: [jobIdParameter, ...pageParameters(['rank', 'index', 'score', 'sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount'], 'rank')],
        responses: {
          '200': { description: 'a page of cells', content: json(pageSchema('cells', ref('GridCell'))) },
          '400': problem('a bad offset, limit or sort (path offset, limit or sort), or a job id that is not a UUID'),
          '404': problem('unknown job, or a job that is not a grid search (error NoGridCells)'),
        },
      },
    },
    '/api/backtests/{id}/windows': {
      get: {
        summary: "A walk-forward's windows, paged and sorted: ranges, parameters chosen in-sample, headline metrics of each part",
        parameters: [jobIdParameter, ...pageParameters(['index', 'inSampleScore', 'sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount'], 'index')],
        responses: {
          '200': { description: 'a page of windows', content: json(pageSchema('windows', ref('WalkForwardWindow'))) },
          '400': problem('a bad offset, limit or sort (path offset, limit or sort), or a job id that is not a UUID'),
          '404': problem('unknown job, or a job that is not a walk-forward (error NoWalkForwardWindows)'),
        },
      },
    },
    '/api/backtests/{id}/cells/{index}/backtest-request': {
      get: {
        summary: "Full detail of one cell: the POST /api/backtests request that backtests the job's genome with the cell's parameters over the job's period",
        parameters: [jobIdParameter, rowIndexParameter],
        responses: {
          '200': { description: '{ jobId, cell, request: { method, path, body } }', content: json(ref('BacktestRequestForRow')) },
          '404': problem('unknown job or cell, or not a grid search'),
          '422': problem('the cell was skipped: its parameters make no valid genome (error CellSkipped)'),
        },
      },
    },
    '/api/backtests/{id}/windows/{index}/backtest-request': {
      get: {
        summary:
          "Full detail of one window: the POST /api/backtests request that backtests the genome with the window's parameters over its out-of-sample part",
        parameters: [jobIdParameter, rowIndexParameter],
        responses: {
          '200': { description: '{ jobId, window, request: { method, path, body } }', content: json(ref('BacktestRequestForRow')) },
          '404': problem('unknown job or window, or not a walk-forward'),
        },
      },
    },
    '/api/market-data/status': {
      get: {
        summary: 'Collection status per source, symbol and interval: last update, lag, gaps, errors',
        parameters: [
          { name: 'source', in: 'query', schema: { type: 'string' } },
          { name: 'symbol', in: 'query', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'status rows' } },
      },
    },
    '/api/market-data/selections/{day}': {
      get: {
        summary: "A day's pair selection: every candidate's score and parts, the rules, what was chosen",
        parameters: [{ name: 'day', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } }],
        responses: { '200': { description: 'the PairsSelected record' }, '404': problem('no selection that day') },
      },
    },
    '/api/learning/cycles': {
      get: {
        summary: 'The learning cycles, newest first (learning_insights read model): regime, rows, overall OOS performance, policy updates',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'before', in: 'query', description: 'only cycles before this one (the last cycleId of the previous page)', schema: cycleIdSchema },
        ],
        responses: {
          '200': { description: '{ cycles }', content: json({ type: 'object', properties: { cycles: { type: 'array', items: ref('LearningCycle') } } }) },
          '400': problem('bad query parameter (path query.limit or query.before)'),
        },
      },
    },
    '/api/learning/cycles/{cycleId}': {
      get: {
        summary: "A cycle's full insights (correlations, quartiles, categories, success and failure factors, recommended ranges, notes) and its policy update",
        parameters: [{ name: 'cycleId', in: 'path', required: true, schema: cycleIdSchema }],
        responses: {
          '200': { description: 'the cycle', content: json(ref('LearningCycleDetail')) },
          '400': problem('cycleId is not a day (path params.cycleId)'),
          '404': problem('no such cycle in the read model'),
        },
      },
    },
    '/api/cycles': {
      get: {
        summary:
          "The daily cycles' progress, newest first (cycle_progress read model): stage, counts per stage, elapsed, estimated time left, the budget's cut, degradations",
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'before', in: 'query', description: 'only cycles before this one (the last cycleId of the previous page)', schema: cycleIdSchema },
        ],
        responses: {
          '200': { description: '{ cycles }' },
          '400': problem('bad query parameter (path query.limit or query.before)'),
        },
      },
    },
    '/api/cycles/{cycleId}': {
      get: {
        summary: "One daily cycle's progress (doc/cycle.md)",
        parameters: [{ name: 'cycleId', in: 'path', required: true, schema: cycleIdSchema }],
        responses: {
          '200': { description: "the cycle's progress" },
          '400': problem('cycleId is not a day (path params.cycleId)'),
          '404': problem('no such cycle in the cycle_progress read model'),
        },
      },
    },
    '/api/learning/policy': {
      get: {
        summary: 'The current generation policy: per regime and gene, the arms ranked by posterior mean α/(α+β)',
        responses: {
          '200': { description: 'the policy summary', content: json(ref('LearningPolicySummary')) },
          '404': problem('no learning cycle has recorded a policy yet'),
        },
      },
    },
    '/api/ranking': {
      get: {
        summary:
          'Every strategy in paper or live (retired ones kept) from the ranking read model, best first: its activation score now (parts, inputs, missing), the limits it breaches, paper and live figures',
        parameters: [
          { name: 'state', in: 'query', schema: { type: 'string', enum: ['Paper', 'Live', 'Retired'] } },
          { name: 'limit', in: 'query', description: 'at most this many (default and maximum 1000)', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          { name: 'offset', in: 'query', description: 'skip this many of the ranking (best first)', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: {
          '200': {
            description: '{ currentRegime, maxActiveStrategies, weights, monitor, total, offset, strategies }',
            content: json({
              type: 'object',
              properties: {
                currentRegime: { type: ['string', 'null'] },
                maxActiveStrategies: { type: 'integer' },
                weights: { type: 'object', additionalProperties: { type: 'number' } },
                monitor: { type: 'object', additionalProperties: { type: 'number' } },
                total: { type: 'integer' },
                offset: { type: 'integer' },
                strategies: {
                  type: 'array',
                  items: {
                    type: 'object',
                    description:
                      'strategyId, state, pinned, evaluation, backtest {sharpe, outOfSampleSharpe, maxDrawdown}, regime, paper and live {days, initialCapital, equity, totalReturn, sharpe, maxDrawdown, trades, lastDay, recentReturns}, paperReturnOverLive, killSwitch, breachDeactivations, lastChange, score, parts, inputs, missing, breaches [{rule, figures, thresholds, message}]',
                  },
                },
              },
            }),
          },
          '400': problem('state is not Paper, Live or Retired (path query.state)'),
        },
      },
    },
    ...tradingPaths,
    ...consolePaths,
    ...alertPaths,
    ...predictionPaths,
    ...overridePaths,
    '/health': {
      get: {
        security: [],
        summary: 'Database, broker, projection and mirror lag, data collection (no key)',
        responses: { '200': { description: 'ok or degraded (the parts in `degraded`)' }, '503': { description: 'unhealthy' } },
      },
    },
    '/openapi.json': { get: { security: [], summary: 'This document (no key)', responses: { '200': { description: 'OpenAPI 3.1' } } } },
  },
  // Every route but /health and /openapi.json (and the console's pages) needs a key; its role is route-roles.ts's.
  security: [{ apiKey: [] }],
  components: { schemas: { ...schemas, ...tradingSchemas, ...alertSchemas }, securitySchemes },
});
