// JSON logs through pino; every service names itself in `service`.
import { pino, type Logger } from 'pino';

export type { Logger };
export const createLogger = (level: string, service = 'mastertrade'): Logger => pino({ level, base: { service } });
