// How far the read side is behind the log: per projection, the events its filter takes that lie after its stored
// checkpoint; for the mirror, every event after its checkpoint. One definition for /health and /metrics.
import type { CommonQueryMethods } from 'slonik';
import { START, type EventStore, type Position } from '../application/ports/event-store.js';
import { ALL_PROJECTIONS } from '../projections/all.js';
import { loadCheckpoints, type StoredCheckpoint } from '../projections/checkpoint.js';

export interface ProjectionLag {
  readonly name: string;
  readonly version: number;
  readonly lag: number;
  readonly checkpoint: StoredCheckpoint | undefined;
}

export const projectionLags = async (db: CommonQueryMethods, store: EventStore): Promise<ProjectionLag[]> => {
  const checkpoints = await loadCheckpoints(
    db,
    ALL_PROJECTIONS.map((p) => p.name),
  );
  return Promise.all(
    ALL_PROJECTIONS.map(async (p) => {
      const checkpoint = checkpoints.get(p.name);
      return { name: p.name, version: p.version, lag: await store.countAfter(checkpoint?.position ?? START, p.filter), checkpoint };
    }),
  );
};

export const mirrorLag = async (
  store: EventStore,
  checkpoints: { load(name: string): Promise<Position | undefined> },
  mirrorName: string,
): Promise<{ lag: number; checkpoint: Position | undefined }> => {
  const checkpoint = await checkpoints.load(mirrorName);
  return { lag: await store.countAfter(checkpoint ?? START), checkpoint };
};
