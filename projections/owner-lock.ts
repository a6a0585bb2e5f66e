// The connection a projection runner holds its owner locks on. Session-level advisory locks live exactly as long as
// the session: this connection is checked out of the pool for the runner's lifetime, and when it dies (server
// restart, network, pg_terminate_backend) every lock on it is gone, so the runner is told at once and stops
// applying until it owns the projections again. A batch already in flight is still safe: its checkpoint
// compare-and-set fails if another owner moved the checkpoint meanwhile.
import { sql, type DatabasePool, type DatabasePoolConnection } from 'slonik';
import { z } from 'zod';
import { ownerLockKey } from './checkpoint.js';

export class OwnerLockConnection {
  private lostHandlers: ((err: unknown) => void)[] = [];
  private lost = false;

  private constructor(
    private readonly conn: DatabasePoolConnection,
    private readonly release: () => void,
    private readonly ended: Promise<void>,
  ) {}

  /** Checks a connection out of the pool and keeps it until close(). */
  static open(pool: DatabasePool): Promise<OwnerLockConnection> {
    return new Promise((resolve, reject) => {
      let release = () => undefined as void;
      const released = new Promise<void>((r) => (release = r));
      let opened: OwnerLockConnection | undefined;
      const holder: { ended?: Promise<void> } = {};
      // slonik races the routine against the connection's 'error' event: a dead connection rejects `ended`.
      holder.ended = pool.connect(async (conn) => {
        opened = new OwnerLockConnection(
          conn,
          release,
          holder.ended!.catch(() => undefined),
        );
        resolve(opened);
        await released;
      });
      holder.ended.catch((err: unknown) => {
        if (!opened) return reject(err);
        opened.markLost(err);
      });
    });
  }

  get isLost(): boolean {
    return this.lost;
  }

  onLost(handler: (err: unknown) => void): void {
    this.lostHandlers.push(handler);
  }

  /** True when this session now owns the projection (or already did). */
  async tryLock(projection: string): Promise<boolean> {
    try {
      return await this.conn.oneFirst(sql.type(z.object({ locked: z.boolean() }))`SELECT pg_try_advisory_lock(${ownerLockKey(projection)}) AS locked`);
    } catch (err) {
      this.markLost(err);
      throw err;
    }
  }

  async unlock(projection: string): Promise<void> {
    await this.conn.query(sql.unsafe`SELECT pg_advisory_unlock(${ownerLockKey(projection)})`);
  }

  /** Releases every lock and gives the connection back to the pool. */
  async close(): Promise<void> {
    if (!this.lost) await this.conn.query(sql.unsafe`SELECT pg_advisory_unlock_all()`).catch(() => undefined);
    this.lost = true;
    this.release();
    await this.ended;
  }

  private markLost(err: unknown): void {
    if (this.lost) return;
    this.lost = true;
    this.release();
    for (const h of this.lostHandlers) h(err);
  }
}
