// The orders and positions read models and GET /api/orders, /api/positions, /api/pnl, built from order-stream events
// appended through the checked PostgreSQL store and folded by the projection runner. Every expected figure is worked
// out by hand below (average cost, fees in the basis, realised on reducing fills: doc/positions.md), with a cash check.
//
// The story (account acct-1 on binance unless said):
//   strat-a, BTCUSDT
//     o1 buy 2 (2024-01-01): t1 1 @ 100 fee 0.1 USDT, t2 1 @ 102 fee 0.102 USDT
//        → long 2, basis 100 + 0.1 + 102 + 0.102 = 202.202, avg 101.101
//     o2 sell 3 (2024-01-02): t3 3 @ 110 fee 0.33 USDT → flips through zero
//        closes 2 with 0.33 × 2/3 = 0.22 of the fee: (110 − 101.101) × 2 − 0.22 = 17.578
//        opens 1 short with 0.11: avg (110 − 0.11) / 1 = 109.89
//   strat-b, ETHUSDT
//     o3 buy 10.1 (2024-01-01): t4 10.1 @ 20 fee 0.1 ETH (maker; a base-asset fee) → holds 10.1 − 0.1 = 10 ETH for
//        202 USDT: long 10 @ 20.2, the fee worth 0.1 × 20 = 2 USDT
//     o4 sell 4 (2024-01-02): t5 4 @ 25 fee 0.1 USDT → (25 − 20.2) × 4 − 0.1 = 19.1; long 6 @ 20.2
//     o5 a limit sell, cancelled; o6 refused by a risk rule before placement
//   no strategy, account acct-2, BTCUSDT
//     o7 buy 1 (2024-01-02): t7 1 @ 105 fee 0.01 BNB (a third asset: kept apart, not in the P&L) → long 1 @ 105
// Marks (latest stored candle close): BTCUSDT 104 (the 1d candle closing 2024-01-03T00:00Z beats the 1h one that opened
// later, at 22:00Z, but closed at 23:00Z with 101), ETHUSDT 22 (a 1m candle closing 2024-01-03T00:11Z).
//   unrealised: strat-a (104 − 109.89) × −1 = 5.89; strat-b (22 − 20.2) × 6 = 10.8; acct-2 (104 − 105) × 1 = −1
// Per day: 2024-01-01 realised 0, fees 0.1 + 0.102 + 2 = 2.202, 3 fills; 2024-01-02 realised 17.578 + 19.1 = 36.678,
//   fees 0.33 + 0.1 = 0.43, 3 fills. Total realised 36.678, fees 2.632, unrealised 15.69, total 52.368.
// Cash check, strat-a: −100.1 − 102.102 + 329.67 = 127.468, plus −1 BTC at 104 → 23.468 = 17.578 + 5.89;
//   strat-b: −202 + 99.9 + 6 × 22 = 29.9 = 19.1 + 10.8; acct-2: −105 + 104 = −1.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { decodeAll } from '../../application/events/decode-event.js';
import type { EventStore, ExpectedRevision } from '../../application/ports/event-store.js';
import { createApi } from '../../apps/api/server.js';
import { openApiDocument } from '../../apps/api/openapi.js';
import { activationAuditReadModel, strategyReadModel } from '../../apps/api/read-models.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { ALL_PROJECTIONS } from '../../projections/all.js';
import { ordersProjection } from '../../projections/orders/projection.js';
import { positionsProjection } from '../../projections/positions/projection.js';
import type { PositionListRow } from '../../projections/positions/queries.js';
import { ProjectionRunner, rebuildProjection } from '../../projections/runner.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createTestKey, type TestKey } from '../support/api-keys.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { catchUpOnVisible, memoryLog } from '../projections/support.js';

const ms = (iso: string) => Date.parse(iso);
const spec = (clientOrderId: string, symbol: string, side: 'buy' | 'sell', quantity: number, type = 'market', price?: number) => ({
  clientOrderId,
  symbol,
  side,
  type,
  quantity,
  ...(price === undefined ? {} : { price, timeInForce: 'GTC' }),
});
const placed = (clientOrderId: string, account: string, strategyId: string | undefined, s: ReturnType<typeof spec>, time: string) => ({
  clientOrderId,
  account,
  ...(strategyId === undefined ? {} : { strategyId }),
  exchange: 'binance',
  spec: s,
  execution: { mode: 'native' },
  time: ms(time),
});
const fill = (
  clientOrderId: string,
  tradeId: string,
  price: number,
  quantity: number,
  fee: number,
  feeCurrency: string,
  time: string,
  cumulative: { quantity: number; averagePrice: number },
  liquidity: 'maker' | 'taker' = 'taker',
) => ({
  clientOrderId,
  tradeId,
  price,
  quantity,
  fee,
  feeCurrency,
  liquidity,
  time: ms(time),
  cumulativeQuantity: cumulative.quantity,
  averagePrice: cumulative.averagePrice,
});

/** The story, in log order: [stream, type, data, expected revision]. Streams interleave so batches mix them. */
const story: [string, string, unknown, ExpectedRevision][] = [
  ['o1', 'OrderPlaced', placed('o1', 'acct-1', 'strat-a', spec('o1', 'BTCUSDT', 'buy', 2), '2024-01-01T10:00:00Z'), 'no_stream'],
  ['o3', 'OrderPlaced', placed('o3', 'acct-1', 'strat-b', spec('o3', 'ETHUSDT', 'buy', 10.1, 'limit', 20), '2024-01-01T11:00:00Z'), 'no_stream'],
  ['o1', 'OrderAccepted', { clientOrderId: 'o1', exchangeOrderId: 'x-1', time: ms('2024-01-01T10:00:00.500Z') }, 0n],
  ['o1', 'OrderPartiallyFilled', fill('o1', 't1', 100, 1, 0.1, 'USDT', '2024-01-01T10:00:01Z', { quantity: 1, averagePrice: 100 }), 1n],
  ['o1', 'OrderFilled', fill('o1', 't2', 102, 1, 0.102, 'USDT', '2024-01-01T10:00:02Z', { quantity: 2, averagePrice: 101 }), 2n],
  ['o3', 'OrderAccepted', { clientOrderId: 'o3', exchangeOrderId: 'x-3', time: ms('2024-01-01T11:00:01Z') }, 0n],
  ['o3', 'OrderFilled', fill('o3', 't4', 20, 10.1, 0.1, 'ETH', '2024-01-01T12:00:00Z', { quantity: 10.1, averagePrice: 20 }, 'maker'), 1n],
  ['o5', 'OrderPlaced', placed('o5', 'acct-1', 'strat-b', spec('o5', 'ETHUSDT', 'sell', 5, 'limit', 30), '2024-01-01T13:00:00Z'), 'no_stream'],
  ['o2', 'OrderPlaced', placed('o2', 'acct-1', 'strat-a', spec('o2', 'BTCUSDT', 'sell', 3), '2024-01-02T09:00:00Z'), 'no_stream'],
  ['o2', 'OrderFilled', fill('o2', 't3', 110, 3, 0.33, 'USDT', '2024-01-02T09:00:01Z', { quantity: 3, averagePrice: 110 }), 0n],
  ['o5', 'OrderCancelled', { clientOrderId: 'o5', by: 'strategy', reason: 'signal gone', time: ms('2024-01-02T10:00:00Z') }, 0n],
  [
    'o6',
    'OrderRejected',
    {
      clientOrderId: 'o6',
      rejection: { by: 'risk', rule: 'max_position_size', limit: 10, actual: 50, message: 'the position would reach 50 ETH, above 10' },
      time: ms('2024-01-02T11:00:00Z'),
      order: { account: 'acct-1', strategyId: 'strat-b', exchange: 'binance', spec: spec('o6', 'ETHUSDT', 'buy', 50) },
    },
    'no_stream',
  ],
  ['o4', 'OrderPlaced', placed('o4', 'acct-1', 'strat-b', spec('o4', 'ETHUSDT', 'sell', 4), '2024-01-02T15:00:00Z'), 'no_stream'],
  ['o4', 'OrderFilled', fill('o4', 't5', 25, 4, 0.1, 'USDT', '2024-01-02T15:00:01Z', { quantity: 4, averagePrice: 25 }), 0n],
  ['o7', 'OrderPlaced', placed('o7', 'acct-2', undefined, spec('o7', 'BTCUSDT', 'buy', 1), '2024-01-02T20:00:00Z'), 'no_stream'],
  ['o7', 'OrderFilled', fill('o7', 't7', 105, 1, 0.01, 'BNB', '2024-01-02T20:00:01Z', { quantity: 1, averagePrice: 105 }), 0n],
];

const close = (actual: unknown, expected: number) => expect(actual).to.be.closeTo(expected, 1e-9);

const snapshotTables = async (pool: DatabasePool) => ({
  orders: await pool.any(sql.unsafe`SELECT * FROM trading_orders ORDER BY client_order_id`),
  contexts: await pool.any(sql.unsafe`SELECT * FROM position_orders ORDER BY client_order_id`),
  fills: await pool.any(sql.unsafe`SELECT * FROM trading_fills ORDER BY event_id`),
  positions: await pool.any(sql.unsafe`SELECT * FROM trading_positions ORDER BY account, strategy_id, exchange, symbol`),
  balances: await pool.any(sql.unsafe`SELECT * FROM trading_balances ORDER BY account, exchange, asset`),
});

describe('orders and positions read models, /api/orders, /api/positions, /api/pnl', () => {
  let apiKey: TestKey;
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let server: Server;
  let base: string;
  const clock = fixedClock(new Date('2024-01-01T00:00:00.000Z'));

  const call = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: apiKey.headers });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  before(async () => {
    db = await freshDatabase('positions');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    const apiClock = fixedClock(new Date('2024-01-04T00:00:00.000Z'));
    const app = createApi({
      store,
      pool,
      log: createLogger(process.env['POSITIONS_TEST_LOG'] === '1' ? 'error' : 'silent'),
      clock: apiClock,
      ids: uuidIds,
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, apiClock),
      health: async () => ({ healthy: true }),
    });
    // A real admin key in this database (test/support/api-keys.ts): every API route but /health needs one.
    apiKey = await createTestKey(store, pool, { name: 'alice' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    for (const [id, type, data, expectedRevision] of story) {
      clock.advance(60_000);
      const r = await store.appendToStream(
        `order-${id}`,
        [
          {
            eventId: randomUUID(),
            type,
            data,
            metadata: { correlationId: 'c', causationId: 'c', actor: 'worker:executor', schemaVersion: 1, occurredAt: clock.now().toISOString() } as never,
          },
        ],
        { expectedRevision },
      );
      if (either.isLeft(r)) throw new Error(`${type} on order-${id}: ${JSON.stringify(r.left, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    }
    const candle = (symbol: string, interval: string, openTime: string, close: number) =>
      sql.fragment`(${'binance'}, ${symbol}, ${interval}, ${ms(openTime)}, ${close}, ${close}, ${close}, ${close}, 1, 'test')`;
    await pool.query(sql.unsafe`
      INSERT INTO candles (exchange, symbol, "interval", open_time, open, high, low, close, volume, source) VALUES
        ${sql.join(
          [
            // The 1h candle opens later, the 1d one closes later: the mark is the 1d close.
            candle('BTCUSDT', '1h', '2024-01-02T21:00:00Z', 102),
            candle('BTCUSDT', '1h', '2024-01-02T22:00:00Z', 101),
            candle('BTCUSDT', '1d', '2024-01-02T00:00:00Z', 104),
            candle('ETHUSDT', '1m', '2024-01-03T00:10:00Z', 22),
            candle('ETHUSDT', '1h', '2024-01-02T23:00:00Z', 21),
            candle('XRPUSDT', '1m', '2024-01-03T00:20:00Z', 0.5),
          ],
          sql.fragment`, `,
        )}`);

    const log = memoryLog();
    // Batches of three: an order's placement and its fills land in different batches.
    const runner = new ProjectionRunner({ pool, store, projections: [ordersProjection, positionsProjection], log, batchSize: 3 });
    try {
      await catchUpOnVisible(store, runner, story.length);
    } finally {
      await runner.stop();
    }
    const errors = log.entries.filter((e) => e.level === 'error' || e.level === 'warn');
    if (errors.length > 0) throw new Error(`projection runner: ${JSON.stringify(errors)}`);
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await pool.end();
    await store.close();
    await db.drop();
  });

  describe('the projections', () => {
    it('are registered with the other read models', () => {
      expect(ALL_PROJECTIONS).to.include(ordersProjection);
      expect(ALL_PROJECTIONS).to.include(positionsProjection);
    });

    it('keep one row per order with where it stands and what has filled', async () => {
      const rows = await pool.any(sql.unsafe`
        SELECT client_order_id, account, strategy_id, symbol, side, type, status, exchange_order_id, filled_quantity, average_fill_price,
               fees, fills, ended, placed_at, revision FROM trading_orders ORDER BY client_order_id`);
      expect(rows.map((r) => [r['client_order_id'], r['status'], r['filled_quantity'], r['average_fill_price'], r['fills'], r['revision']])).to.deep.equal([
        ['o1', 'filled', 2, 101, 2, 3],
        ['o2', 'filled', 3, 110, 1, 1],
        ['o3', 'filled', 10.1, 20, 1, 2],
        ['o4', 'filled', 4, 25, 1, 1],
        ['o5', 'cancelled', 0, null, 0, 1],
        ['o6', 'rejected', 0, null, 0, 0],
        ['o7', 'filled', 1, 105, 1, 1],
      ]);
      const o1 = rows[0]!;
      expect(o1['fees']).to.deep.equal({ USDT: 0.202 });
      expect(o1['exchange_order_id']).to.equal('x-1');
      expect(o1['placed_at']).to.equal('2024-01-01T10:00:00.000Z');
      expect(rows[1]!['fees']).to.deep.equal({ USDT: 0.33 });
      expect(rows[2]!['fees']).to.deep.equal({ ETH: 0.1 });
      expect(rows[4]!['ended']).to.deep.equal({ by: 'strategy', reason: 'signal gone', at: '2024-01-02T10:00:00.000Z' });
      expect((rows[5]!['ended'] as { rule: string }).rule).to.equal('max_position_size');
      expect(rows[5]!['strategy_id']).to.equal('strat-b');
      expect(rows[6]!['strategy_id']).to.equal('');
    });

    it('keep the position of every (account, strategy, symbol) by average cost, fees in the basis', async () => {
      const rows = await pool.any(sql.unsafe`
        SELECT account, strategy_id, symbol, quantity, average_price, realised_pnl, fees, other_fees, fills, opened_at
          FROM trading_positions ORDER BY account, strategy_id, symbol`);
      expect(rows).to.have.length(3);
      const [sa, sb, a2] = rows as Record<string, unknown>[];
      expect([a2!['account'], a2!['strategy_id'], a2!['symbol']]).to.deep.equal(['acct-2', '', 'BTCUSDT']);
      expect(a2!['quantity']).to.equal(1);
      close(a2!['average_price'], 105);
      expect(a2!['fees']).to.equal(0);
      expect(a2!['other_fees']).to.deep.equal({ BNB: 0.01 });

      expect([sa!['strategy_id'], sa!['symbol'], sa!['quantity'], sa!['fills']]).to.deep.equal(['strat-a', 'BTCUSDT', -1, 3]);
      close(sa!['average_price'], 109.89);
      close(sa!['realised_pnl'], 17.578);
      close(sa!['fees'], 0.532); // 0.1 + 0.102 + 0.33
      expect(sa!['opened_at']).to.equal('2024-01-02T09:00:01.000Z'); // the short opened by the flip

      expect([sb!['strategy_id'], sb!['symbol'], sb!['quantity'], sb!['fills']]).to.deep.equal(['strat-b', 'ETHUSDT', 6, 2]);
      close(sb!['average_price'], 20.2);
      close(sb!['realised_pnl'], 19.1);
      close(sb!['fees'], 2.1); // 0.1 ETH at 20, and 0.1 USDT
      expect(sb!['opened_at']).to.equal('2024-01-01T12:00:00.000Z');
    });

    it('keep the ledger of fills with the P&L each realised, on the UTC day of the fill', async () => {
      const rows = await pool.any(sql.unsafe`
        SELECT trade_id, day::text AS day, realised_pnl, fee_quote, position_after FROM trading_fills ORDER BY filled_at`);
      expect(rows.map((r) => [r['trade_id'], r['day'], r['position_after']])).to.deep.equal([
        ['t1', '2024-01-01', 1],
        ['t2', '2024-01-01', 2],
        ['t4', '2024-01-01', 10],
        ['t3', '2024-01-02', -1],
        ['t5', '2024-01-02', 6],
        ['t7', '2024-01-02', 1],
      ]);
      const expected: [number, number | null][] = [
        [0, 0.1],
        [0, 0.102],
        [0, 2], // 0.1 ETH at 20
        [17.578, 0.33],
        [19.1, 0.1],
        [0, null], // BNB
      ];
      rows.forEach((r, i) => {
        close(r['realised_pnl'], expected[i]![0]);
        if (expected[i]![1] === null) expect(r['fee_quote']).to.equal(null);
        else close(r['fee_quote'], expected[i]![1]);
      });
    });

    it('keep what fills did to each asset, fees included', async () => {
      const rows = await pool.any(sql.unsafe`SELECT account, asset, change FROM trading_balances ORDER BY account, asset`);
      const expected: [string, string, number][] = [
        ['acct-1', 'BTC', -1], // +1 +1 −3
        ['acct-1', 'ETH', 6], // +10.1 −0.1 fee −4: the position's 6
        ['acct-1', 'USDT', 25.368], // −100 −102 +330 −202 +100, fees −0.1 −0.102 −0.33 −0.1
        ['acct-2', 'BNB', -0.01],
        ['acct-2', 'BTC', 1],
        ['acct-2', 'USDT', -105],
      ];
      expect(rows.map((r) => [r['account'], r['asset']])).to.deep.equal(expected.map(([a, s]) => [a, s]));
      rows.forEach((r, i) => close(r['change'], expected[i]![2]));
    });

    it('change nothing when events already applied reach them again', async () => {
      const before = await snapshotTables(pool);
      for (const projection of [ordersProjection, positionsProjection]) {
        const decoded = decodeAll(await store.readAll({ filter: projection.filter }));
        if (either.isLeft(decoded)) throw new Error(decoded.left.message);
        await pool.transaction((tx) => projection.applyBatch(tx, decoded.right as never));
        await pool.transaction((tx) => projection.applyBatch(tx, decoded.right.slice(3, 5) as never));
      }
      expect(await snapshotTables(pool)).to.deep.equal(before);
    });

    it('a rebuild from position zero (tables emptied, every event replayed) gives the same rows, whatever the batch sizes', async () => {
      const live = await snapshotTables(pool);
      expect(live.fills).to.have.length(6);
      for (const sizes of [{ batchSize: 1000 }, { batchSize: 2, windowSize: 2 }, { batchSize: 1, windowSize: 1 }]) {
        await rebuildProjection({ pool, store, projection: ordersProjection, log: memoryLog(), ...sizes });
        await rebuildProjection({ pool, store, projection: positionsProjection, log: memoryLog(), ...sizes });
        const rebuilt = await snapshotTables(pool);
        for (const k of Object.keys(live) as (keyof typeof live)[]) expect(rebuilt[k], `${k} ${JSON.stringify(sizes)}`).to.deep.equal(live[k]);
      }
    });
  });

  describe('GET /api/positions', () => {
    it('lists positions with their mark (latest stored candle close) and unrealised P&L', async () => {
      const r = await call('/api/positions');
      expect(r.status).to.equal(200);
      expect(r.body.total).to.equal(3);
      const byKey: Record<string, PositionListRow> = Object.fromEntries(
        (r.body.positions as PositionListRow[]).map((p) => [`${p.account}/${p.strategyId}/${p.symbol}`, p]),
      );
      const sa = byKey['acct-1/strat-a/BTCUSDT']!;
      expect(sa.side).to.equal('short');
      expect(sa.mark).to.deep.equal({ price: 104, at: '2024-01-03T00:00:00.000Z' });
      close(sa.unrealisedPnl, 5.89);
      const sb = byKey['acct-1/strat-b/ETHUSDT']!;
      expect(sb.mark).to.deep.equal({ price: 22, at: '2024-01-03T00:11:00.000Z' });
      close(sb.unrealisedPnl, 10.8);
      const none = byKey['acct-2/null/BTCUSDT']!;
      close(none.unrealisedPnl, -1);
      expect(none.otherFees).to.deep.equal({ BNB: 0.01 });
      expect(r.body.balances).to.have.length(6);
    });

    it('filters by account, strategy, symbol and status, and pages', async () => {
      const a = await call('/api/positions?account=acct-1&symbol=ETHUSDT');
      expect(a.body.positions.map((p: { strategyId: string }) => p.strategyId)).to.deep.equal(['strat-b']);
      expect(a.body.balances.map((b: { account: string }) => b.account)).to.deep.equal(['acct-1', 'acct-1', 'acct-1']);
      expect((await call('/api/positions?strategyId=strat-a')).body.total).to.equal(1);
      expect((await call('/api/positions?status=closed')).body.total).to.equal(0);
      expect((await call('/api/positions?status=open')).body.total).to.equal(3);
      const p1 = await call('/api/positions?limit=2');
      const p2 = await call('/api/positions?limit=2&offset=2');
      expect([p1.body.positions.length, p2.body.positions.length, p1.body.total, p2.body.limit, p2.body.offset]).to.deep.equal([2, 1, 3, 2, 2]);
      const all = (await call('/api/positions')).body.positions;
      expect([...p1.body.positions, ...p2.body.positions]).to.deep.equal(all);
    });

    it('answers 400 naming the parameter for an unknown one or a bad value', async () => {
      for (const [query, path] of [
        ['colour=red', 'colour'],
        ['limit=0', 'limit'],
        ['limit=1001', 'limit'],
        ['offset=-1', 'offset'],
        ['status=opened', 'status'],
        ['exchange=Binance!', 'exchange'],
        ['symbol=%00', 'symbol'],
        ['account=a&account=b', 'account'],
      ]) {
        const r = await call(`/api/positions?${query}`);
        expect(r.status, query).to.equal(400);
        expect(
          r.body.errors.map((e: { path: string }) => e.path),
          query,
        ).to.include(path);
      }
    });
  });

  describe('GET /api/orders', () => {
    it('lists orders newest placement first, filtered by account, strategy, symbol, status and time', async () => {
      const all = await call('/api/orders');
      expect(all.status).to.equal(200);
      expect(all.body.orders.map((o: { clientOrderId: string }) => o.clientOrderId)).to.deep.equal(['o7', 'o4', 'o6', 'o2', 'o5', 'o3', 'o1']);
      expect(all.body.total).to.equal(7);
      const ids = async (q: string) => (await call(`/api/orders?${q}`)).body.orders.map((o: { clientOrderId: string }) => o.clientOrderId);
      expect(await ids('strategyId=strat-b')).to.deep.equal(['o4', 'o6', 'o5', 'o3']);
      expect(await ids('account=acct-2')).to.deep.equal(['o7']);
      expect(await ids('symbol=BTCUSDT&account=acct-1')).to.deep.equal(['o2', 'o1']);
      expect(await ids('status=cancelled')).to.deep.equal(['o5']);
      expect(await ids('status=rejected')).to.deep.equal(['o6']);
      expect(await ids('from=2024-01-02')).to.deep.equal(['o7', 'o4', 'o6', 'o2']);
      expect(await ids('from=2024-01-01T11:00:00Z&to=2024-01-02T09:00:00Z')).to.deep.equal(['o5', 'o3']);
      expect(await ids('limit=2&offset=1')).to.deep.equal(['o4', 'o6']);
      const o1 = all.body.orders[6];
      expect(o1).to.include({
        account: 'acct-1',
        strategyId: 'strat-a',
        exchange: 'binance',
        symbol: 'BTCUSDT',
        side: 'buy',
        status: 'filled',
        filledQuantity: 2,
      });
      expect(all.body.orders[0].strategyId).to.equal(null);
    });

    it('answers 400 naming the parameter for an unknown one or a bad value', async () => {
      for (const [query, path] of [
        ['state=filled', 'state'],
        ['status=done', 'status'],
        ['from=yesterday', 'from'],
        ['from=2024-02-30', 'from'],
        ['from=2024-01-02&to=2024-01-01', 'to'],
        ['limit=abc', 'limit'],
        ['offset=99999999999', 'offset'],
      ]) {
        const r = await call(`/api/orders?${query}`);
        expect(r.status, query).to.equal(400);
        expect(r.body.error).to.equal('InvalidRequest');
        expect(
          r.body.errors.map((e: { path: string }) => e.path),
          query,
        ).to.include(path);
      }
    });
  });

  describe('GET /api/pnl', () => {
    it('gives the total: realised, fees, unrealised at the marks, and their sum', async () => {
      const r = await call('/api/pnl');
      expect(r.status).to.equal(200);
      expect(r.body.groupBy).to.equal('total');
      expect(r.body.rows).to.have.length(1);
      const t = r.body.rows[0];
      close(t.realisedPnl, 36.678);
      close(t.fees, 2.632);
      close(t.unrealisedPnl, 15.69);
      close(t.totalPnl, 52.368);
      expect([t.fills, t.openPositions, t.unmarkedPositions]).to.deep.equal([6, 3, 0]);
    });

    it('per day (UTC day of the fill): realised and fees, no unrealised', async () => {
      const r = await call('/api/pnl?groupBy=day');
      expect(r.body.rows.map((x: { day: string; fills: number; unrealisedPnl: null }) => [x.day, x.fills, x.unrealisedPnl])).to.deep.equal([
        ['2024-01-01', 3, null],
        ['2024-01-02', 3, null],
      ]);
      close(r.body.rows[0].realisedPnl, 0);
      close(r.body.rows[0].fees, 2.202);
      close(r.body.rows[1].realisedPnl, 36.678);
      close(r.body.rows[1].fees, 0.43);
      const one = await call('/api/pnl?groupBy=day&from=2024-01-02&to=2024-01-03&strategyId=strat-b');
      expect(one.body.rows).to.have.length(1);
      close(one.body.rows[0].realisedPnl, 19.1);
    });

    it('per strategy and per symbol, open positions included', async () => {
      const s = await call('/api/pnl?groupBy=strategy');
      expect(s.body.rows.map((x: { strategyId: string | null }) => x.strategyId)).to.deep.equal([null, 'strat-a', 'strat-b']);
      const [none, a, b] = s.body.rows;
      close(none.realisedPnl, 0);
      close(none.unrealisedPnl, -1);
      close(a.realisedPnl, 17.578);
      close(a.unrealisedPnl, 5.89);
      close(a.totalPnl, 23.468);
      close(a.fees, 0.532);
      close(b.realisedPnl, 19.1);
      close(b.unrealisedPnl, 10.8);
      close(b.totalPnl, 29.9);
      const y = await call('/api/pnl?groupBy=symbol');
      expect(y.body.rows.map((x: { symbol: string }) => x.symbol)).to.deep.equal(['BTCUSDT', 'ETHUSDT']);
      close(y.body.rows[0].realisedPnl, 17.578);
      close(y.body.rows[0].unrealisedPnl, 4.89); // 5.89 − 1
      expect(y.body.rows[0].openPositions).to.equal(2);
      const acct = await call('/api/pnl?groupBy=account&account=acct-2');
      expect(acct.body.rows).to.have.length(1);
      close(acct.body.rows[0].totalPnl, -1);
      const paged = await call('/api/pnl?groupBy=strategy&limit=1&offset=1');
      expect([paged.body.rows.length, paged.body.total, paged.body.rows[0].strategyId]).to.deep.equal([1, 3, 'strat-a']);
    });

    it('answers 400 naming the parameter for an unknown one or a bad value', async () => {
      for (const [query, path] of [
        ['groupBy=week', 'groupBy'],
        ['group=day', 'group'],
        ['to=2024-13-01', 'to'],
        ['limit=5000', 'limit'],
      ]) {
        const r = await call(`/api/pnl?${query}`);
        expect(r.status, query).to.equal(400);
        expect(
          r.body.errors.map((e: { path: string }) => e.path),
          query,
        ).to.include(path);
      }
    });
  });

  it('documents the three routes in /openapi.json', () => {
    const paths = (openApiDocument() as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> }).paths;
    for (const p of ['/api/orders', '/api/positions', '/api/pnl']) expect(paths[p]?.get, p).to.not.equal(undefined);
    expect(paths['/api/pnl']!.get!.parameters!.map((x) => x.name)).to.include.members([
      'groupBy',
      'account',
      'strategyId',
      'symbol',
      'from',
      'to',
      'limit',
      'offset',
    ]);
  });
});
