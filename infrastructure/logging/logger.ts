// JSON logs through pino; every service names itself in `service`. A service's logger also writes to a tee
// (log-tee.ts) that counts errors and, when log storage is on, keeps the records for the `logs` table.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogTee } from './log-tee.js';

export type { Logger };

export interface LoggerOptions {
  /** The second stream: every record the logger emits also goes here. */
  readonly tee?: LogTee;
  /** Where the lines go (default stdout). */
  readonly destination?: DestinationStream;
}

export const createLogger = (level: string, service = 'mastertrade', options: LoggerOptions = {}): Logger => {
  if (options.tee === undefined)
    return options.destination === undefined ? pino({ level, base: { service } }) : pino({ level, base: { service } }, options.destination);
  const destination = options.destination ?? pino.destination(1);
  const tee = options.tee;
  // A plain fan-out rather than pino.multistream: the same line to both, without multistream's per-stream level walk
  // (half the throughput in bench/logs.ts); the tee reads the level from the line.
  return pino(
    { level, base: { service } },
    {
      write: (line: string) => {
        destination.write(line);
        tee.write(line);
      },
    },
  );
};
