// The alerts service as the all-in-one process starts it (apps/alerts.ts startAlerts): its loops follow the log on
// their own — a kill switch engaged reaches a real local webhook receiver without anyone calling the evaluator — and
// stop() ends them cleanly.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import { recordRiskCommand } from '../../application/trading/risk-recorder.js';
import { startAlerts } from '../../apps/alerts.js';
import type { Platform } from '../../apps/platform.js';
import { systemClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';

describe('alerts service (apps/alerts.ts startAlerts)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let checkpoints: PostgresCheckpointStore;
  let server: Server;
  const bodies: Record<string, unknown>[] = [];

  before(async () => {
    db = await freshDatabase('alert_service');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    checkpoints = new PostgresCheckpointStore({ connectionString: db.url });
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
  });

  after(async () => {
    server?.close();
    await checkpoints?.close();
    await pool?.end();
    await db?.drop();
  });

  it('follows the log by itself and delivers to the configured webhook; stop() ends its loops', async () => {
    const config = loadConfig({
      DATABASE_URL: db.url,
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      ALERT_WEBHOOK_SECRET: 'a-test-secret-of-32-characters!!',
    });
    if (either.isLeft(config)) throw new Error(config.left);
    const platform = {
      config: config.right,
      log: createLogger('silent'),
      databaseUrl: db.url,
      store,
      pool,
      clock: systemClock,
      ids: uuidIds,
      close: async () => undefined,
    } as Platform;
    const alerts = startAlerts(platform, { checkpoints, health: async () => ({ healthy: true }), followMs: 100 });
    try {
      const engaged = await recordRiskCommand({ store, clock: systemClock, ids: uuidIds })({
        type: 'EngageKillSwitch',
        account: 'paper',
        data: { account: 'paper', trigger: 'manual', time: Date.now(), decidedBy: 'operator:ana', reason: 'halt', positionsToClose: [] } as never,
      });
      expect(either.isRight(engaged)).to.equal(true);
      for (let i = 0; i < 300 && bodies.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(bodies.map((b) => [b['rule'], b['subject'], b['notification']])).to.deep.equal([['kill-switch', 'paper', 'raised']]);
    } finally {
      await alerts.stop();
    }
  });
});
