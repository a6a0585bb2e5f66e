// The OpenAPI entries of the trading read routes (trading-routes.ts): GET /api/orders, /api/positions, /api/pnl.
// openapi.ts merges them into /openapi.json.
import { ORDER_STATUSES } from '../../projections/orders/queries.js';
import { PNL_GROUPS, POSITION_STATUSES } from '../../projections/positions/queries.js';
import { DEFAULT_TRADING_PAGE, MAX_TRADING_PAGE } from './trading-routes.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const problem = (description: string) => ({ description, content: json(ref('Problem')) });
const num = { type: 'number' };
const nullableNum = { type: ['number', 'null'] };
const str = { type: 'string' };
const nullableStr = { type: ['string', 'null'] };

const q = (name: string, description: string, schema: unknown = str) => ({ name, in: 'query', required: false, description, schema });
const filters = [
  q('account', 'only this account'),
  q('strategyId', 'only this strategy (orders and positions without a strategy have strategyId null)'),
  q('exchange', 'only this exchange id (e.g. binance)', { type: 'string', pattern: '^[a-z][a-z0-9]{1,31}$' }),
  q('symbol', 'only this symbol, as its exchange spells it (e.g. BTCUSDT)', { type: 'string', maxLength: 40 }),
];
const paging = [
  q('limit', 'rows per page', { type: 'integer', minimum: 1, maximum: MAX_TRADING_PAGE, default: DEFAULT_TRADING_PAGE }),
  q('offset', 'rows to skip', { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 }),
];
const instant = { type: 'string', description: 'a UTC day (2024-01-31, its midnight) or an instant (2024-01-31T12:00:00Z)', example: '2024-01-31' };
const between = (what: string) => [q('from', `${what} at or after`, instant), q('to', `${what} before (must be after from)`, instant)];
const badQuery = problem('a query parameter the route does not know, or a bad value (errors[].path names it)');

export const tradingSchemas = {
  Order: {
    type: 'object',
    description: 'One order stream (order-<clientOrderId>) as the orders read model keeps it',
    properties: {
      clientOrderId: str,
      account: str,
      strategyId: nullableStr,
      exchange: str,
      symbol: str,
      side: { enum: ['buy', 'sell'] },
      type: { enum: ['market', 'limit', 'stop_market', 'stop_limit', 'take_profit', 'trailing_stop'] },
      status: { enum: ORDER_STATUSES },
      spec: { type: 'object', description: 'the OrderSpec as placed (domain/execution/order.ts)' },
      execution: {
        type: ['object', 'null'],
        description: 'native, or emulated with what it submits and why (and when it triggered); null when rejected before placement',
      },
      parentOrderId: nullableStr,
      exchangeOrderId: nullableStr,
      filledQuantity: num,
      averageFillPrice: nullableNum,
      fees: { type: 'object', additionalProperties: num, description: 'fees paid so far, per currency' },
      fills: { type: 'integer' },
      ended: { type: ['object', 'null'], description: 'the cancellation, rejection or expiry as recorded' },
      placedAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      revision: { type: 'integer' },
    },
  },
  Position: {
    type: 'object',
    description: 'The position of one (account, strategy, exchange, symbol), by the average-cost method (doc/positions.md); amounts in the quote currency',
    properties: {
      account: str,
      strategyId: nullableStr,
      exchange: str,
      symbol: str,
      side: { enum: ['long', 'short', 'flat'] },
      quantity: { type: 'number', description: 'signed: > 0 long, < 0 short' },
      averagePrice: { ...nullableNum, description: 'cost basis per unit, opening fees included; null when flat' },
      realisedPnl: num,
      fees: { type: 'number', description: 'fees paid, in the quote currency' },
      otherFees: { type: 'object', additionalProperties: num, description: 'fees in a third asset (e.g. BNB), per currency: not in the P&L' },
      mark: {
        type: ['object', 'null'],
        description: 'the close of the latest stored candle of the symbol on its exchange; null when flat or no candle is stored',
        properties: { price: num, at: { type: 'string', format: 'date-time', description: "the candle's close time" } },
      },
      unrealisedPnl: { ...nullableNum, description: '(mark − averagePrice) × quantity; null without a mark' },
      fills: { type: 'integer' },
      openedAt: { type: ['string', 'null'], format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  BalanceChange: {
    type: 'object',
    description: 'What fills did to an asset of an account (bought +, sold −, fees −): deposits are not in the event log',
    properties: { account: str, exchange: str, asset: str, change: num, updatedAt: { type: 'string', format: 'date-time' } },
  },
  PnlRow: {
    type: 'object',
    description:
      'One group: realised P&L, fees and fills of the fills in [from, to); unrealised P&L of the positions open now (null per day). The key field is the group (account, strategyId, symbol or day); total has none.',
    properties: {
      account: str,
      strategyId: nullableStr,
      symbol: str,
      day: { type: 'string', description: 'UTC day of the fills' },
      realisedPnl: num,
      fees: num,
      fills: { type: 'integer' },
      unrealisedPnl: nullableNum,
      openPositions: { type: 'integer' },
      unmarkedPositions: { type: 'integer', description: 'open positions without a mark (their unrealised P&L is missing from the sum)' },
      totalPnl: { ...nullableNum, description: 'realisedPnl + unrealisedPnl' },
    },
  },
};

const page = (items: string, schema: unknown, extra: Record<string, unknown> = {}) =>
  json({
    type: 'object',
    properties: { [items]: { type: 'array', items: schema }, ...extra, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
  });

export const tradingPaths = {
  '/api/orders': {
    get: {
      summary: 'Orders (orders read model), newest placement first, filtered and paged',
      parameters: [...filters, q('status', 'only orders in this status', { enum: ORDER_STATUSES }), ...between('placed'), ...paging],
      responses: { '200': { description: '{ orders, total, limit, offset }', content: page('orders', ref('Order')) }, '400': badQuery },
    },
  },
  '/api/positions': {
    get: {
      summary: 'Positions per (account, strategy, exchange, symbol) with mark and unrealised P&L, and the balance changes of the accounts',
      parameters: [...filters, q('status', 'open, closed (flat) or all', { enum: POSITION_STATUSES, default: 'all' }), ...paging],
      responses: {
        '200': {
          description: '{ positions, balances, total, limit, offset } (balances follow the account and exchange filters)',
          content: page('positions', ref('Position'), { balances: { type: 'array', items: ref('BalanceChange') } }),
        },
        '400': badQuery,
      },
    },
  },
  '/api/pnl': {
    get: {
      summary: 'P&L, total or per account, strategy, symbol or UTC day: realised (fees deducted), fees, unrealised at the latest marks',
      parameters: [q('groupBy', 'the grouping', { enum: PNL_GROUPS, default: 'total' }), ...filters, ...between('fills'), ...paging],
      responses: {
        '200': { description: '{ groupBy, rows, total, limit, offset }', content: page('rows', ref('PnlRow'), { groupBy: { enum: PNL_GROUPS } }) },
        '400': badQuery,
      },
    },
  },
};
