// Child process for the crash-loop test: a backtest queue consumer whose every job kills its own process with
// SIGKILL (as an OOM kill or a segfault would), before it can ack or nack. Outcomes are recorded with the real
// recorder on PostgreSQL (DATABASE_URL). Tells the parent (IPC) what it receives, runs and records; closes on 'stop'.
import { pino } from 'pino';
import { backtestOutcomeRecorder } from '../../application/backtest/record-outcome.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { RabbitMqJobQueue } from '../../infrastructure/backtest/rabbitmq-job-queue.js';
import { systemClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { checkedPostgresStore } from '../support/event-store.js';

const url = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const queue = process.env['BACKTEST_QUEUE'];
const databaseUrl = process.env['DATABASE_URL'];
if (queue === undefined || databaseUrl === undefined) throw new Error('BACKTEST_QUEUE and DATABASE_URL must be set');
const deliveryLimit = Number(process.env['BACKTEST_DELIVERY_LIMIT'] ?? '5');

/** Resolves once the message is handed to the parent (before a SIGKILL could lose it). */
const tell = (m: Record<string, unknown>) => new Promise<void>((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));

const store = checkedPostgresStore({ connectionString: databaseUrl, poolSize: 2 });
const record = backtestOutcomeRecorder({ store, clock: systemClock, ids: uuidIds, actor: `worker:${process.pid}` as Actor });
const q = new RabbitMqJobQueue({ url, queue, deliveryLimit, log: pino({ level: 'silent' }) });
await q.consume(
  async (job) => {
    await tell({ type: 'running', jobId: job.jobId });
    process.kill(process.pid, 'SIGKILL');
    return new Promise(() => undefined);
  },
  async (job, outcome) => {
    await record(job, outcome);
    await tell({ type: 'recorded', jobId: job.jobId, outcome });
  },
  { prefetch: 1, onDelivery: (d) => void tell({ type: 'delivery', ...d }) },
);
process.on('message', (m) => {
  if (m !== 'stop') return;
  void (async () => {
    await q.close(); // acks are flushed before the connection closes
    await store.close();
    process.exit(0);
  })();
});
await tell({ type: 'consuming' });
