// The learning cycle's view of the past (application/ports/learning-history.ts) over the read models: the
// training set and the strategies' stored genomes.
import type { CommonQueryMethods } from 'slonik';
import type { LearningHistory } from '../../application/ports/learning-history.js';
import { genomesOf } from '../strategies/queries.js';
import { fingerprintsOf, testedFingerprints, trainingRows } from './queries.js';

export const readModelLearningHistory = (db: CommonQueryMethods): LearningHistory => ({
  rows: () => trainingRows(db),
  genomes: (ids) => genomesOf(db, ids),
  triedFingerprints: () => testedFingerprints(db, { includePending: true }),
  fingerprintsOf: (ids) => fingerprintsOf(db, ids),
});
