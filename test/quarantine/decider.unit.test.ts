// The quarantine rules, as given / when / then: an event is quarantined once, only when it does not decode, and only
// a quarantined event can have its quarantine lifted.
import { decide, evolve, initialState } from '../../domain/quarantine/decider.js';
import type { QuarantineEvent } from '../../domain/quarantine/events.js';
import { spec } from '../domain/decider-spec.js';

const decider = { decide, evolve, initialState };
const ref = {
  eventId: '7a1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
  streamName: 'backtest-5d2e8f11-0c4b-4f7a-8e6d-3a9b2c1d0e4f',
  revision: 0,
  eventType: 'BacktestRequested',
  position: { commit: '812', prepare: '4001' },
} as never;
const errors = [{ path: 'data.job.period.from', message: 'expected EpochMs, got -315619200000' }];
const quarantined: QuarantineEvent = { type: 'EventQuarantined', data: { event: ref, reason: 'pre-1970 period' as never, decodeErrors: errors } };
const lifted: QuarantineEvent = { type: 'EventQuarantineLifted', data: { eventId: ref['eventId' as never], reason: 'fixed in 0.3' as never } };
const quarantine = { type: 'QuarantineEvent', event: ref, decodeErrors: errors, reason: 'pre-1970 period' as never } as const;
const lift = { type: 'LiftQuarantine', eventId: '7a1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', reason: 'fixed in 0.3' as never } as const;

describe('quarantine decider', () => {
  it('an event that does not decode is quarantined, with its decode errors', () => spec(decider).given([]).when(quarantine).then([quarantined]));
  it('an event that decodes is not quarantined', () =>
    spec(decider)
      .given([])
      .when({ ...quarantine, decodeErrors: [] })
      .thenFails({ kind: 'EventDecodes' }));
  it('an event is quarantined once', () => spec(decider).given([quarantined]).when(quarantine).thenFails({ kind: 'AlreadyQuarantined' }));
  it('a quarantine is lifted', () => spec(decider).given([quarantined]).when(lift).then([lifted]));
  it('only a quarantined event has its quarantine lifted', () => spec(decider).given([]).when(lift).thenFails({ kind: 'NotQuarantined' }));
  it('a lifted event can be quarantined again', () => spec(decider).given([quarantined, lifted]).when(quarantine).then([quarantined]));
  it('a lifted quarantine cannot be lifted twice', () => spec(decider).given([quarantined, lifted]).when(lift).thenFails({ kind: 'NotQuarantined' }));
});
