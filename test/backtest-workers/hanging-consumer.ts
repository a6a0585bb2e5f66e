// Child process for the redelivery test: a backtest queue consumer that takes a job, tells the parent
// (IPC) and then hangs before recording it, until the parent kills it with SIGKILL.
import { pino } from 'pino';
import { RabbitMqJobQueue } from '../../infrastructure/backtest/rabbitmq-job-queue.js';

const url = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const queue = process.env['BACKTEST_QUEUE'];
if (queue === undefined) throw new Error('BACKTEST_QUEUE not set');
const q = new RabbitMqJobQueue({ url, queue, log: pino({ level: 'silent' }) });
await q.consume(
  () => new Promise(() => undefined), // takes the job and never finishes it
  async () => {
    throw new Error('never reached');
  },
  {
    prefetch: 1,
    onDelivery: (d) => process.send?.({ type: 'delivery', jobId: d.jobId, redelivered: d.redelivered, status: d.status }),
  },
);
process.send?.({ type: 'consuming' });
