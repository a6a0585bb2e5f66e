// One run of a day's cycle at a time. A trigger while a run holds the day (the schedule and `npm run cycle`, or two
// processes) is refused at once with the holder named, rather than waiting or interleaving its appends. The lock
// lives as long as the run's process: PostgreSQL's session advisory lock in the platform
// (infrastructure/db/advisory-cycle-lock.ts), released by the database when the process dies — so a cycle killed
// half-way is resumed by the next trigger, never blocked by a lock nobody holds.
export interface CycleLock {
  /** Runs `fn` holding the day's lock; `{ acquired: false }` when another run holds it (fn not called). */
  withLock<T>(cycleId: string, holder: string, fn: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false; holder: string }>;
}

/** The process's own lock (tests, and the default when no lock is given): refuses a second run of a day here. */
export const inProcessCycleLock = (): CycleLock => {
  const held = new Map<string, string>();
  return {
    withLock: async (cycleId, holder, fn) => {
      const current = held.get(cycleId);
      if (current !== undefined) return { acquired: false, holder: current };
      held.set(cycleId, holder);
      try {
        return { acquired: true, value: await fn() };
      } finally {
        held.delete(cycleId);
      }
    },
  };
};
