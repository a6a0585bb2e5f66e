// What the work-queue suites share: the broker's URL, and the per-test cleanup of consumer processes, opened
// queues and the test's own queue with its dead-letter queue.
import type { ChildProcess } from 'node:child_process';
import amqp from 'amqplib';

export const AMQP_TEST_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

export const cleanUpQueue = async (queueName: string, children: ChildProcess[], opened: { close(): Promise<void> }[]): Promise<void> => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.allSettled(opened.splice(0).map((q) => q.close()));
  const conn = await amqp.connect(AMQP_TEST_URL);
  const ch = await conn.createChannel();
  await ch.deleteQueue(queueName);
  await ch.deleteQueue(`${queueName}.dead`);
  await conn.close();
};
