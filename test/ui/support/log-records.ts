// Log records written into a test database through the real log tee (infrastructure/logging/log-tee.ts), as a
// service's logger writes them, at the given times: what the console's log search finds.
import { pino } from 'pino';
import { LogTee } from '../../../infrastructure/logging/log-tee.js';

export const writeLogs = async (databaseUrl: string, service: string, records: readonly { time: number; level: number; msg: string }[]): Promise<void> => {
  const tee = new LogTee({ service, store: true, flushIntervalMs: 3_600_000 });
  tee.startStoring({ connectionString: databaseUrl });
  try {
    let now = 0;
    const log = pino({ level: 'trace', base: { service }, timestamp: () => `,"time":${now}` }, pino.multistream([{ stream: tee, level: 'trace' }]));
    for (const r of records) {
      now = r.time;
      log[pino.levels.labels[r.level] as 'info'](r.msg);
    }
    await tee.flush();
  } finally {
    await tee.close();
  }
};
