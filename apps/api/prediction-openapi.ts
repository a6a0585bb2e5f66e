// The OpenAPI entries of the predictor's routes (prediction-routes.ts); openapi.ts merges them into /openapi.json.
import { DEFAULT_MODEL, DEFAULT_PREDICTIONS_LIMIT, MAX_PREDICTIONS_LIMIT, MAX_RANGE_DAYS } from './prediction-routes.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const problem = (description: string) => ({ description, content: json(ref('Problem')) });
const num = { type: 'number' };
const str = { type: 'string' };
const q = (name: string, description: string, schema: unknown, required = false) => ({ name, in: 'query', required, description, schema });
const instant = { type: 'string', description: 'a UTC day (2024-01-31, its midnight) or an instant (2024-01-31T12:00:00Z)', example: '2024-01-31' };
const model = q('model', `the model's name (its model-<name> stream), default ${DEFAULT_MODEL}`, { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,59}$' });
const metrics = {
  type: ['object', 'null'],
  description: 'null when no hour of the range has a known return',
  properties: { samples: { type: 'integer' }, mae: num, rmse: num, directionalAccuracy: num },
};
const prediction = {
  type: 'object',
  properties: {
    model: str,
    modelVersion: { type: 'integer' },
    kind: str,
    exchange: str,
    symbol: str,
    madeAt: { type: 'string', description: 'when the forecast was made (the close of the last hour it used); visible from then on' },
    forHour: { type: 'string', description: 'open time of the hour whose return is forecast' },
    expectedReturn: { type: 'number', description: 'simple return, 0.01 = +1%' },
    upProbability: { type: 'number', description: 'Φ(expectedReturn / σ), σ the validation residuals’ standard deviation' },
    confidence: { type: 'number', description: '|2·upProbability − 1|' },
    baselines: { type: 'object', properties: { persistence: num, ridge: num } },
    realisedReturn: { type: ['number', 'null'], description: 'from the candles; null until the hour and the one before are stored' },
  },
};

export const predictionPaths = {
  '/api/predictions/latest': {
    get: {
      summary: "The model's newest forecast, with its realised return when known",
      parameters: [model],
      responses: {
        '200': { description: 'the prediction', content: json(prediction) },
        '400': problem('a bad model name (errors[].path names it)'),
        '404': problem('the model has made no prediction yet'),
      },
    },
  },
  '/api/predictions': {
    get: {
      summary: `The forecasts for hours in [from, to) (at most ${MAX_RANGE_DAYS} days), each with its realised return, and the model's and the baselines' errors over the range`,
      parameters: [
        q('from', 'first hour (inclusive)', instant, true),
        q('to', 'end (exclusive, after from)', instant, true),
        model,
        q('limit', 'rows per page; `next` is the from of the next page', {
          type: 'integer',
          minimum: 1,
          maximum: MAX_PREDICTIONS_LIMIT,
          default: DEFAULT_PREDICTIONS_LIMIT,
        }),
      ],
      responses: {
        '200': {
          description: '{ model, from, to, next, errors: { hoursWithOutcome, model, persistence, ridge }, predictions }',
          content: json({
            type: 'object',
            properties: {
              model: str,
              from: str,
              to: str,
              next: { type: ['string', 'null'] },
              errors: { type: 'object', properties: { hoursWithOutcome: { type: 'integer' }, model: metrics, persistence: metrics, ridge: metrics } },
              predictions: { type: 'array', items: prediction },
            },
          }),
        },
        '400': problem(
          'from/to missing or not instants, to not after from, a range over the bound, a bad limit or model, or an unknown parameter (errors[].path names it)',
        ),
      },
    },
  },
};
