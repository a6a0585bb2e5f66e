// End to end: the orders engineer's executor trades on the in-test venue (test/orders/test-venue.ts), its order streams
// are folded by the orders and positions projections, and the API answers. Two independent checks: figures worked out
// by hand, and the venue's own balances (its bookkeeping, not ours) against what the positions read model says fills
// did to them.
//
//   buy 1 BTC market @ 30,000, fee 0.001 BTC (the venue charges a buy's fee in BTC)
//     → holds 0.999 BTC for 30,000 USDT (the fee's worth, 30 USDT, is in the basis)
//   price moves to 31,000; sell the 0.999 held (a lot multiple), fee 0.999 × 31,000 × 0.001 = 30.969 USDT
//     → realised 30,969 − 30.969 − 30,000 = 938.031, flat
//   limit buy 0.05 @ 29,000; the price dips to 28,900: filled at 29,000 (maker), fee 0.00005 BTC
//     → holds 0.04995 BTC for 1,450 USDT
//   marked at 30,000 (a stored candle): unrealised 0.04995 × 30,000 − 1,450 = 48.5; total 986.531
//   cash check: USDT −30,000 + 30,938.031 − 1,450 = −511.969, plus 0.04995 BTC × 30,000 = 1,498.5 → 986.531
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import type { FillNotice, OrderEndNotice, OrderListener, RoutedOrder } from '../../application/trading/order-router.js';
import { Executor } from '../../application/trading/executor.js';
import { createApi } from '../../apps/api/server.js';
import { activationAuditReadModel, strategyReadModel } from '../../apps/api/read-models.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { ordersProjection } from '../../projections/orders/projection.js';
import { positionsProjection } from '../../projections/positions/projection.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createTestKey, type TestKey } from '../support/api-keys.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { testVenue } from '../orders/test-venue.js';
import { catchUpOnVisible, memoryLog } from '../projections/support.js';

class Quiet implements OrderListener {
  onFill(_fill: FillNotice) {}
  onOrderEnded(_notice: OrderEndNotice) {}
}

const close = (actual: unknown, expected: number, tolerance = 1e-9) => expect(actual).to.be.closeTo(expected, tolerance);

describe('positions end to end: the executor on the in-test venue, projected and served', () => {
  let apiKey: TestKey;
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let server: Server;
  let base: string;
  const venue = testVenue({ price: 30_000 });
  const T = 1_709_294_400_000; // 2024-03-01T12:00:00Z

  const call = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: apiKey.headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { rows?: Record<string, number>[] } };
  };

  before(async () => {
    db = await freshDatabase('positions_e2e');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    const clock = fixedClock(new Date(T));
    const executor = new Executor({
      store,
      clock,
      ids: uuidIds,
      exchange: venue.exchange,
      risk: { check: () => either.right(undefined) },
      listener: new Quiet(),
      account: 'paper-e2e',
      retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 },
      actor: 'system:positions-test' as Actor,
    });
    const order = (id: string, spec: Omit<OrderSpec, 'clientOrderId' | 'symbol'>, time: number): RoutedOrder => ({
      account: 'paper-e2e',
      strategyId: 'strategy-e2e',
      exchange: 'testvenue',
      spec: { clientOrderId: id as ClientOrderId, symbol: 'BTCUSDT', ...spec },
      referencePrice: 30_000,
      time,
    });
    await executor.submit(order('e2e-buy-1', { side: 'buy', type: 'market', quantity: 1 } as never, T));
    await venue.movePrice('BTCUSDT', { high: 31_000, low: 31_000, close: 31_000 }, T + 3_600_000);
    await executor.submit(order('e2e-sell-1', { side: 'sell', type: 'market', quantity: 0.999 } as never, T + 3_600_000));
    await executor.submit(order('e2e-buy-2', { side: 'buy', type: 'limit', quantity: 0.05, price: 29_000, timeInForce: 'GTC' } as never, T + 7_200_000));
    await venue.movePrice('BTCUSDT', { high: 31_000, low: 28_900, close: 29_500 }, T + 10_800_000);
    await executor.syncOnce(); // the poll that hears the limit fill
    await executor.settled();

    await pool.query(sql.unsafe`
      INSERT INTO candles (exchange, symbol, "interval", open_time, open, high, low, close, volume, source)
      VALUES ('testvenue', 'BTCUSDT', '1h', ${T + 10_800_000}, 30000, 30000, 30000, 30000, 1, 'test')`);

    const app = createApi({
      store,
      pool,
      log: createLogger('silent'),
      clock,
      ids: uuidIds,
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, clock),
      health: async () => ({ healthy: true }),
    });
    // A real admin key in this database (test/support/api-keys.ts): every API route but /health needs one.
    apiKey = await createTestKey(store, pool, { name: 'alice' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const runner = new ProjectionRunner({ pool, store, projections: [ordersProjection, positionsProjection], log: memoryLog(), batchSize: 2 });
    try {
      await catchUpOnVisible(store, runner, (await store.readAll({})).length);
    } finally {
      await runner.stop();
    }
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await pool.end();
    await store.close();
    await db.drop();
  });

  it('the three orders filled, as the orders read model says', async () => {
    const r = await call('/api/orders?account=paper-e2e');
    const orders = r.body['orders'] as { clientOrderId: string; status: string; filledQuantity: number }[];
    expect(orders.map((o) => [o.clientOrderId, o.status, o.filledQuantity])).to.deep.equal([
      ['e2e-buy-2', 'filled', 0.05],
      ['e2e-sell-1', 'filled', 0.999],
      ['e2e-buy-1', 'filled', 1],
    ]);
  });

  it('the position holds what the venue holds, at the hand-worked cost and P&L', async () => {
    const r = await call('/api/positions?strategyId=strategy-e2e');
    const [p] = r.body['positions'] as Record<string, number & { price: number }>[];
    close(p!['quantity'], 0.04995);
    close(Number(p!['averagePrice']) * Number(p!['quantity']), 1450, 1e-6);
    close(p!['realisedPnl'], 938.031, 1e-6);
    close(p!['unrealisedPnl'], 48.5, 1e-6);
    const held = (await venue.balances())['BTC']!.total;
    close(p!['quantity'], held, 1e-12);
  });

  it('what fills did to the balances is what the venue booked', async () => {
    const venueBalances = await venue.balances();
    const r = await call('/api/positions?account=paper-e2e');
    const balances = Object.fromEntries((r.body['balances'] as { asset: string; change: number }[]).map((b) => [b.asset, b.change]));
    close(balances['BTC'], venueBalances['BTC']!.total - 0, 1e-12);
    close(balances['USDT'], venueBalances['USDT']!.total - 100_000, 1e-6);
    close(balances['USDT'], -511.969, 1e-6);
  });

  it('the P&L: realised, unrealised at the mark, total', async () => {
    const t = (await call('/api/pnl?account=paper-e2e')).body.rows![0]!;
    close(t['realisedPnl'], 938.031, 1e-6);
    close(t['unrealisedPnl'], 48.5, 1e-6);
    close(t['totalPnl'], 986.531, 1e-6);
    expect(t['fills']).to.equal(3);
  });
});
