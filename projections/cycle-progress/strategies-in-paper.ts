// The strategies now in Paper, from the strategies read model: what the cycle's promotion counts against
// `paper.maxStrategies` (application/learning/cycle-promotion.ts).
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const readModelStrategiesInPaper = (db: CommonQueryMethods) => async (): Promise<readonly string[]> =>
  db.anyFirst(sql.type(z.object({ id: z.string() }))`SELECT id FROM strategies WHERE state = 'Paper' ORDER BY id`);
