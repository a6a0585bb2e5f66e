// How a service process lives and ends (`npm start` and every `npm run start:*`): it starts, and on SIGINT or
// SIGTERM it stops its parts in reverse order of start — the API first, so no new request arrives, the database
// and the embedded PostgreSQL last — and ends with one line saying it stopped, exit code 0.
// A failure to start is printed with its cause (exit 1), never as a bare `undefined`.
import type { Logger } from '../infrastructure/logging/logger.js';
import { describeFailure } from './failure.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface RunningService {
  readonly log: Logger;
  /** Stops everything the start opened; resolves when all of it is closed. */
  stop(): Promise<void>;
}

/** Longest a stop may take before the process gives up on it (a hung connection): exit 1 naming what was still open. */
const STOP_TIMEOUT_MS = 60_000;
/** After a complete stop nothing is left to run; a handle still open after this long is a leak, named in a warning. */
const DRAIN_MS = 3_000;

/** Stops the parts in reverse order of start; a part that fails to stop is logged and the rest still stop. */
export const stopInReverse = async (log: Logger, parts: readonly Stoppable[]): Promise<boolean> => {
  let clean = true;
  for (const p of [...parts].reverse())
    await p.stop().catch((err) => {
      clean = false;
      log.warn({ err: describeFailure(err) }, 'a service did not stop cleanly');
    });
  return clean;
};

export const serve = async (name: string, start: () => Promise<RunningService>): Promise<void> => {
  // Installed before the start, so a signal during the start (the embedded PostgreSQL is coming up) is not the
  // default "die at once", which would leave that server running: the stop follows as soon as the start is done.
  let requested: NodeJS.Signals | undefined;
  let stopNow: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // A Ctrl-C reaches this process twice (from the terminal and forwarded by npm): only the first one counts.
    if (requested !== undefined) return;
    requested = signal;
    stopNow?.(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let service: RunningService;
  try {
    service = await start();
  } catch (err) {
    process.stderr.write(`${name} did not start: ${describeFailure(err)}\n`);
    process.exit(1);
  }

  const stop = async (signal: NodeJS.Signals) => {
    const { log } = service;
    const t0 = performance.now();
    log.info({ signal }, `${signal}: stopping ${name}`);
    const deadline = setTimeout(() => {
      log.error({ activeResources: process.getActiveResourcesInfo() }, `${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s: exiting anyway`);
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    deadline.unref();
    let code = 0;
    try {
      await service.stop();
    } catch (err) {
      log.error({ err: describeFailure(err) }, `${name} did not stop cleanly`);
      code = 1;
    }
    clearTimeout(deadline);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    log.info({ signal, ms: Math.round(performance.now() - t0) }, `${name} stopped`);
    process.exitCode = code;
    // Everything is closed, so the process ends by itself now. If a handle still holds it, name it and end anyway.
    setTimeout(() => {
      log.warn({ activeResources: process.getActiveResourcesInfo() }, `${name}: handles still open after the stop`);
      process.exit(code);
    }, DRAIN_MS).unref();
  };
  stopNow = (signal) => void stop(signal);
  if (requested !== undefined) stopNow(requested);
};
