// The OpenAPI entries of the alert routes (alert-routes.ts): GET /api/alerts, POST /api/alerts/{id}/acknowledge.
// openapi.ts merges them into /openapi.json; doc/alerts.md says what the rules are.
import { ALERT_RULES, ALERT_SEVERITIES } from '../../domain/alerts/events.js';
import { DEFAULT_ALERT_PAGE, MAX_ALERT_PAGE } from './alert-routes.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const problem = (description: string) => ({ description, content: json(ref('Problem')) });
const q = (name: string, description: string, schema: unknown) => ({ name, in: 'query', required: false, description, schema });

export const alertSchemas = {
  Alert: {
    type: 'object',
    description: 'One alert (an episode of a de-duplication key) as the alerts read model keeps it (doc/alerts.md)',
    properties: {
      alertId: { type: 'string', format: 'uuid' },
      rule: { enum: [...ALERT_RULES] },
      kind: { enum: ['condition', 'incident'] },
      severity: { enum: [...ALERT_SEVERITIES] },
      subject: { type: 'string' },
      message: { type: 'string' },
      figures: { type: 'object' },
      dedupKey: { type: 'string' },
      state: { enum: ['open', 'resolved'] },
      count: { type: 'integer' },
      firstSeenAt: { type: 'string', format: 'date-time' },
      lastSeenAt: { type: 'string', format: 'date-time' },
      resolvedAt: { type: ['string', 'null'] },
      resolvedBy: { type: ['string', 'null'] },
      resolution: { type: ['string', 'null'] },
      acknowledgedAt: { type: ['string', 'null'] },
      acknowledgedBy: { type: ['string', 'null'] },
      acknowledgement: { type: ['string', 'null'] },
      deliveries: { type: 'array', items: { type: 'object', description: 'notification, channel, ok, attempts, at, error' } },
    },
  },
};

export const alertPaths = {
  '/api/alerts': {
    get: {
      summary: 'Alerts, newest first, keyset-paged (pass nextCursor back as cursor)',
      parameters: [
        q('state', 'open or resolved', { enum: ['open', 'resolved'] }),
        q('severity', 'only this severity', { enum: [...ALERT_SEVERITIES] }),
        q('rule', 'only this rule', { enum: [...ALERT_RULES] }),
        q('limit', 'alerts per page', { type: 'integer', minimum: 1, maximum: MAX_ALERT_PAGE, default: DEFAULT_ALERT_PAGE }),
        q('cursor', "the previous page's nextCursor", { type: 'string', maxLength: 200 }),
      ],
      responses: {
        '200': {
          description: 'A page',
          content: json({
            type: 'object',
            properties: { alerts: { type: 'array', items: ref('Alert') }, limit: { type: 'integer' }, nextCursor: { type: ['string', 'null'] } },
          }),
        },
        '400': problem('a query parameter the route does not know, or a bad value (errors[].path names it)'),
      },
    },
  },
  '/api/alerts/{id}/acknowledge': {
    post: {
      summary: 'Acknowledge an open alert (an operator command): a condition stays open until it clears, an incident is closed',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['reason'],
              additionalProperties: false,
              properties: {
                actor: { type: 'string', description: 'optional; if given, must be the key’s own actor (operator:<key name>), else 403' },
                reason: { type: 'string' },
              },
            },
            example: { reason: 'the collector is being restarted' },
          },
        },
      },
      responses: {
        '200': { description: 'Acknowledged: { id, state, acknowledged, events }' },
        '400': problem('a bad id, actor or reason (errors[].path names it)'),
        '404': problem('no such alert'),
        '409': problem('the alert is resolved or already acknowledged'),
      },
    },
  },
};
