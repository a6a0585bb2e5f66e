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
  // Both streams take every level the logger emits ('trace' here; the logger's own level filters first).
  return pino(
    { level, base: { service } },
    pino.multistream([
      { stream: destination, level: 'trace' },
      { stream: options.tee, level: 'trace' },
    ]),
  );
};
