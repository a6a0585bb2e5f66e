// Projection and mirror lag as gauges, computed on scrape with the definition /health uses (read-side-lag.ts).
import { Gauge, type Registry } from 'prom-client';
import type { CommonQueryMethods } from 'slonik';
import type { EventStore, Position } from '../../application/ports/event-store.js';
import { METRIC_PREFIX } from './process-metrics.js';
import { mirrorLag, projectionLags } from './read-side-lag.js';

export const registerLagMetrics = (
  registry: Registry,
  deps: {
    readonly db: CommonQueryMethods;
    readonly store: EventStore;
    readonly mirrorCheckpoints: { load(name: string): Promise<Position | undefined> };
    readonly mirrorName: string;
  },
): void => {
  new Gauge({
    name: `${METRIC_PREFIX}projection_lag_events`,
    help: 'Events a projection has still to fold (those its filter takes after its checkpoint)',
    labelNames: ['projection'],
    registers: [registry],
    async collect() {
      for (const p of await projectionLags(deps.db, deps.store)) this.labels(p.name).set(p.lag);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}mirror_lag_events`,
    help: 'Events the mirror has still to publish to the broker (every event after its checkpoint)',
    registers: [registry],
    async collect() {
      this.set((await mirrorLag(deps.store, deps.mirrorCheckpoints, deps.mirrorName)).lag);
    },
  });
};
