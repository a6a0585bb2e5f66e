// The event store contract against a real EventStoreDB server, when EVENTSTORE_CONNECTION_STRING names one
// (none runs on this machine: the adapter's own logic is checked against a stand-in in eventstoredb-event-store.unit.test.ts).
import { EventStoreDbEventStore } from '../../infrastructure/event-store/eventstoredb-event-store.js';
import { eventStoreContract } from './contract.js';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
if (connectionString) {
  describe('EventStoreDB event store', () => {
    let store: EventStoreDbEventStore;
    before(() => {
      store = new EventStoreDbEventStore({ connectionString, pollIntervalMs: 100 });
    });
    after(() => store.close());

    eventStoreContract('eventstoredb', { store: () => store });
  });
} else {
  describe('event store contract: eventstoredb', () => {
    // Set EVENTSTORE_CONNECTION_STRING (e.g. esdb://admin:changeit@localhost:2113?tls=false) to run it.
    it('skipped: EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB server on this machine)', function () {
      this.skip();
    });
  });
}
