// Projection and mirror lag as gauges, computed on scrape with the definition /health uses (apps/read-side-lag.ts,
// handed in: this module knows only the figures).
import { Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './process-metrics.js';

export interface LagSource {
  projectionLags(): Promise<readonly { readonly name: string; readonly lag: number }[]>;
  mirrorLag(): Promise<number>;
}

export const registerLagMetrics = (registry: Registry, source: LagSource): void => {
  new Gauge({
    name: `${METRIC_PREFIX}projection_lag_events`,
    help: 'Events a projection has still to fold (those its filter takes after its checkpoint)',
    labelNames: ['projection'],
    registers: [registry],
    async collect() {
      for (const p of await source.projectionLags()) this.labels(p.name).set(p.lag);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}mirror_lag_events`,
    help: 'Events the mirror has still to publish to the broker (every event after its checkpoint)',
    registers: [registry],
    async collect() {
      this.set(await source.mirrorLag());
    },
  });
};
