// The trading read routes: `GET /api/orders`, `GET /api/positions` and `GET /api/pnl`, from the orders and positions
// read models (projections/orders, projections/positions). Query strings decode exactly: a value out of range or a
// parameter the route does not know is a 400 naming it, never ignored. Paging is bounded (limit ≤ 1000). Mounted by
// the API app; documented in openapi.ts and doc/api.md, the arithmetic in doc/positions.md.
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommonQueryMethods } from 'slonik';
import { ExchangeId } from '../../domain/market/exchange.js';
import { IdString } from '../../domain/primitives/codecs.js';
import { countOrders, listOrders, ORDER_STATUSES } from '../../projections/orders/queries.js';
import { countPnlGroups, countPositions, listBalances, listPositions, pnl, PNL_GROUPS, POSITION_STATUSES } from '../../projections/positions/queries.js';
import { decodeQuery, Instant, oneOf, rangeInOrder, send, whole } from './query.js';

export interface TradingRouteDeps {
  /** Where the orders and positions read models live. */
  readonly db: CommonQueryMethods;
}

export const MAX_TRADING_PAGE = 1000;
export const DEFAULT_TRADING_PAGE = 100;
const MAX_OFFSET = 1_000_000_000;

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** An id or a symbol as a query names it: bounded, and without a control character (PostgreSQL refuses a NUL). */
const queryString = <C extends t.Type<string, string, unknown>>(codec: C, max: number) =>
  t.refinement(codec, (s) => s.length <= max && !CONTROL_CHARACTER.test(s), `${codec.name} (1 to ${max} characters, no control character)`);
const QueryId = queryString(IdString, 200);
const QuerySymbol = queryString(IdString, 40);

const paging = { limit: whole(1, MAX_TRADING_PAGE), offset: whole(0, MAX_OFFSET) };
const filters = { account: QueryId, strategyId: QueryId, exchange: ExchangeId, symbol: QuerySymbol };

export const OrdersQuery = t.partial({ ...filters, ...paging, status: oneOf('OrderStatus', ORDER_STATUSES), from: Instant, to: Instant }, 'OrdersQuery');
export const PositionsQuery = t.partial({ ...filters, ...paging, status: oneOf('PositionStatus', POSITION_STATUSES) }, 'PositionsQuery');
export const PnlQuery = t.partial({ ...filters, ...paging, groupBy: oneOf('PnlGroup', PNL_GROUPS), from: Instant, to: Instant }, 'PnlQuery');

const page = (q: { limit?: number; offset?: number }) => ({ limit: q.limit ?? DEFAULT_TRADING_PAGE, offset: q.offset ?? 0 });

export const tradingRoutes = (deps: TradingRouteDeps): express.Router => {
  const router = express.Router();

  router.get('/api/orders', async (req: Request, res: Response) => {
    const q = decodeQuery(OrdersQuery, req.query, rangeInOrder);
    if (either.isLeft(q)) return send(res, q.left);
    const { limit, offset } = page(q.right);
    const [orders, total] = await Promise.all([listOrders(deps.db, { ...q.right, limit, offset }), countOrders(deps.db, q.right)]);
    res.json({ orders, total, limit, offset });
  });

  router.get('/api/positions', async (req: Request, res: Response) => {
    const q = decodeQuery(PositionsQuery, req.query);
    if (either.isLeft(q)) return send(res, q.left);
    const { limit, offset } = page(q.right);
    const status = q.right.status ?? 'all';
    const [positions, total, balances] = await Promise.all([
      listPositions(deps.db, { ...q.right, status, limit, offset }),
      countPositions(deps.db, { ...q.right, status }),
      listBalances(deps.db, {
        ...(q.right.account === undefined ? {} : { account: q.right.account }),
        ...(q.right.exchange === undefined ? {} : { exchange: q.right.exchange }),
      }),
    ]);
    res.json({ positions, balances, total, limit, offset });
  });

  router.get('/api/pnl', async (req: Request, res: Response) => {
    const q = decodeQuery(PnlQuery, req.query, rangeInOrder);
    if (either.isLeft(q)) return send(res, q.left);
    const { limit, offset } = page(q.right);
    const groupBy = q.right.groupBy ?? 'total';
    const [rows, total] = await Promise.all([pnl(deps.db, { ...q.right, groupBy, limit, offset }), countPnlGroups(deps.db, { ...q.right, groupBy })]);
    res.json({ groupBy, rows, total, limit, offset });
  });

  return router;
};
