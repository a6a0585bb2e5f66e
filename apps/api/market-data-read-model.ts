// What the API reads about market data: the collection status table and the daily selection streams.
import { either } from 'fp-ts';
import type { CommonQueryMethods } from 'slonik';
import { decodeAll } from '../../application/events/decode-event.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { selectionStream, type PairsSelected } from '../../domain/selection/events.js';
import { listCollectionStatus } from '../../infrastructure/market-data/collection-status-store.js';
import type { MarketDataReadModel } from './server.js';

export const marketDataReadModel = (db: CommonQueryMethods, store: EventStore, clock: Clock): MarketDataReadModel => ({
  status: (q) => listCollectionStatus(db, clock.now(), q),
  selection: async (day) => {
    const decoded = decodeAll<PairsSelected>(await store.readStream(selectionStream(day)));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    const last = decoded.right[decoded.right.length - 1];
    return last ? { ...last.event.data, eventId: last.recorded.eventId, recordedBy: last.metadata.actor, occurredAt: last.metadata.occurredAt } : undefined;
  },
});
