// One Prometheus registry per process: the default process metrics (CPU, memory, event-loop delay, GC, handles), every
// metric labelled with the service that serves it. The concept modules beside this one register into it.
import { collectDefaultMetrics, Registry } from 'prom-client';

export const METRIC_PREFIX = 'mastertrade_';

export const createProcessRegistry = (service: string): Registry => {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
};
