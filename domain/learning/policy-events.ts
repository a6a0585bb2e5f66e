// The generation policy's history: after every daily cycle the updated Thompson-sampling policy (policy/policy.ts)
// is appended to stream `model-learning-policy`, so the next cycle starts from the last one and any past policy
// can be read back. The event carries the whole state (plain JSON): the stream's last event is the policy.
import * as t from 'io-ts';
import { IdString, IsoTimestamp, NonNegativeInt } from '../primitives/codecs.js';
import { RegimeCodec } from './events.js';
import { PolicyCodec } from './policy/policy.js';

export const POLICY_STREAM = 'model-learning-policy';

export const LearningPolicyUpdatedData = t.intersection([
  t.type({
    /** The cycle whose out-of-sample results were learned (e.g. `2023-06-01`): at most one update per cycle. */
    cycleId: IdString,
    policy: PolicyCodec,
  }),
  t.partial({ regime: RegimeCodec, asOf: IsoTimestamp, results: NonNegativeInt }),
]);
export type LearningPolicyUpdatedData = t.TypeOf<typeof LearningPolicyUpdatedData>;

export const LearningPolicyEventData = { LearningPolicyUpdated: LearningPolicyUpdatedData } as const;
export type LearningPolicyUpdated = { readonly type: 'LearningPolicyUpdated'; readonly data: LearningPolicyUpdatedData };
