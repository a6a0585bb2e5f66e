// The OpenAPI entries of the admin overrides (override-routes.ts: settings, risk limits, kill switches), who a key is
// (GET /api/auth/me), the logs (log-routes.ts) and the metrics (metrics-route.ts), and the API keys' security scheme;
// openapi.ts merges them into /openapi.json. The role each route needs is apps/api/route-roles.ts's (doc/security.md).
import { SETTING_NAMES } from '../../domain/settings/definitions.js';
import { MAX_LOGS_LIMIT, MAX_LOGS_QUERY_CHARS, MAX_LOGS_RANGE_DAYS } from './log-routes.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const problem = (description: string) => ({ description, content: json(ref('Problem')) });
const q = (name: string, description: string, schema: unknown = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const account = {
  name: 'account',
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: 200 },
  example: 'live-0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10',
};
const reason = { type: 'string', minLength: 1, maxLength: 2000, description: 'why: goes into the audit with the key’s actor' };
const actor = { type: 'string', description: 'optional; if given, must be the key’s own actor (operator:<key name>), else 403' };
const trigger = { type: 'string', enum: ['manual', 'max_drawdown', 'daily_loss_limit'] };
const body = (properties: Record<string, unknown>, required: string[]) => ({
  required: true,
  content: json({ type: 'object', additionalProperties: false, required: ['reason', ...required], properties: { ...properties, reason, actor } }),
});
const auth = {
  '401': problem('no key, or an unknown, revoked or malformed one (WWW-Authenticate: Bearer)'),
  '403': problem('the key’s role is below the route’s (route-roles.ts), or the body names another actor'),
  '429': problem('more requests than the per-key or per-IP limit allows in the window (Retry-After)'),
};
const riskAnswer = {
  '200': { description: '{ account, recorded: [event types], revision }' },
  '400': problem('a bad account or body (path of the field)'),
  ...auth,
};

export const securitySchemes = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key from `npm run keys -- create --name <name> --role viewer|operator|admin` (also accepted as `X-API-Key: <key>`). Reads need viewer, commands and overrides operator, settings and the risk limits and kill switches admin.',
  },
};

export const overridePaths = {
  '/api/auth/me': {
    get: {
      summary: 'Who the key is: { keyId, name, role, actor } (the console shows the role; the server judges every request)',
      responses: { '200': { description: '{ keyId, name, role, actor }' }, ...auth },
    },
  },
  '/api/settings': {
    get: {
      summary: 'Every platform setting with its value, whether it was set, its default and range',
      responses: { '200': { description: '{ settings }' }, ...auth },
    },
  },
  '/api/settings/{name}': {
    post: {
      summary:
        'Change a setting (e.g. maxActiveStrategies, activation.replacementMargin) with a reason (admin); a value outside the setting’s range is a 400 naming `value`; recorded as the key’s actor',
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', enum: SETTING_NAMES } }],
      requestBody: body({ value: { type: 'number' } }, ['value']),
      responses: {
        '200': { description: '{ name, value, recorded, revision, events }' },
        '400': problem(
          'a bad body (no reason, no finite value, a value outside the setting’s range: errors[].path `value`, the message names the setting and its range)',
        ),
        '404': problem('no such setting (the answer lists them)'),
        '422': problem('refused by the settings decider'),
        ...auth,
      },
    },
  },
  '/api/risk/{account}': {
    get: {
      summary: 'An account’s risk limits (its own or the configured ones), engaged kill switches and recent refusals',
      parameters: [account],
      responses: { '200': { description: '{ account, limits, limitsFrom, engaged, refusals }' }, '400': problem('a bad account'), ...auth },
    },
  },
  '/api/risk/{account}/kill': {
    post: {
      summary: 'Engage the account’s manual kill switch with a reason (admin): its session closes what it holds and opens nothing',
      parameters: [account],
      requestBody: body({}, []),
      responses: riskAnswer,
    },
  },
  '/api/risk/{account}/release': {
    post: {
      summary: 'Release one of the account’s kill switches (its trigger) with a reason (admin)',
      parameters: [account],
      requestBody: body({ trigger }, ['trigger']),
      responses: { ...riskAnswer, '409': problem('that kill switch is not engaged') },
    },
  },
  '/api/risk/{account}/limits': {
    post: {
      summary: 'Change some of the account’s risk limits with a reason (admin); the others keep their values',
      parameters: [account],
      requestBody: body({ limits: { type: 'object', description: 'a subset of RiskLimits (maxPositionNotional, maxOpenPositions, …)' } }, ['limits']),
      responses: { ...riskAnswer, '422': problem('refused by the risk decider') },
    },
  },
  '/api/logs': {
    get: {
      summary: `The services’ stored logs, newest first, keyset-paged (doc/observability.md); the range defaults to the last 24 hours, at most ${MAX_LOGS_RANGE_DAYS} days`,
      parameters: [
        q('service', 'one service (api, projector, worker, …)'),
        q('level', 'this level and above', { type: 'string', enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] }),
        q('from', 'ISO-8601 UTC time', { type: 'string', format: 'date-time' }),
        q('to', 'ISO-8601 UTC time', { type: 'string', format: 'date-time' }),
        q('q', 'full text (PostgreSQL websearch syntax)', { type: 'string', minLength: 1, maxLength: MAX_LOGS_QUERY_CHARS }),
        q('limit', 'rows per page', { type: 'integer', minimum: 1, maximum: MAX_LOGS_LIMIT, default: 100 }),
        q('cursor', 'the nextCursor of the page before'),
      ],
      responses: {
        '200': { description: '{ from, to, logs: [{ id, time, service, level, levelName, msg, record }], nextCursor }' },
        '400': problem('a bad parameter (its path)'),
        ...auth,
      },
    },
  },
  '/metrics': {
    get: {
      summary:
        'Prometheus text exposition (doc/observability.md): cycle and stage durations, backtests/s, append rate, projection and mirror lag, orders, risk refusals, errors, HTTP requests',
      responses: { '200': { description: 'text/plain; version=0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } }, ...auth },
    },
  },
};
