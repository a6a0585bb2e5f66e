// The learning cycle's view of the past (application/ports/learning-history.ts) over the read models: the
// training set and the strategies' stored genomes.
//
// Read incrementally: a row is read again only when its revision (the strategy stream's, bumped by every event the
// projection applies to it) changed, and a genome only once (a strategy's genome never changes). Every cycle reads
// the whole history; without this, reading 30,000 rows and genomes took ~3 s of each cycle after 60 days of 500
// strategies a day. The rows and genomes handed out are the same objects while unchanged, so the learner can keep
// what it computed from them (cycle-loading.ts).
import type { CommonQueryMethods } from 'slonik';
import type { LearningHistory } from '../../application/ports/learning-history.js';
import { genomesOf } from '../strategies/queries.js';
import { fingerprintsOf, testedFingerprints, learningRowsOf, trainingRowRevisions, type LearningRow } from './queries.js';

export const readModelLearningHistory = (db: CommonQueryMethods): LearningHistory => {
  const rowsById = new Map<string, LearningRow>();
  const genomesById = new Map<string, unknown>();
  return {
    rows: async () => {
      const listed = await trainingRowRevisions(db);
      const stale = listed.filter((l) => rowsById.get(l.id)?.revision !== l.revision).map((l) => l.id);
      for (const row of await learningRowsOf(db, stale)) rowsById.set(row.strategyId, row);
      const present = new Set(listed.map((l) => l.id));
      for (const id of rowsById.keys()) if (!present.has(id)) rowsById.delete(id);
      // A row listed, then changed or gone before it was read: the next call reads it again (its revision differs).
      return listed.flatMap((l) => rowsById.get(l.id) ?? []);
    },
    genomes: async (ids) => {
      const missing = ids.filter((id) => !genomesById.has(id));
      for (const [id, genome] of await genomesOf(db, missing)) genomesById.set(id, genome);
      const out = new Map<string, unknown>();
      for (const id of ids) if (genomesById.has(id)) out.set(id, genomesById.get(id));
      return out;
    },
    triedFingerprints: () => testedFingerprints(db, { includePending: true }),
    fingerprintsOf: (ids) => fingerprintsOf(db, ids),
  };
};
