// The alerts service (doc/alerts.md), started beside the pipeline loop by startAutonomy (apps/autonomy/start.ts: in
// the all-in-one process and in the split deployment's autonomy service, in whichever process holds their lock)
// rather than as one of its steps: the pipeline ticks once an hour (and on a simulated clock in replay), while
// alerts must follow the log within seconds and judge the platform's state every minute on the real clock.
// - the evaluator's event rules follow the log every few seconds; its state rules run every minute (croner);
// - the dispatcher sends what the evaluator raised or resolved to the configured channels, on its own loop, so a
//   slow webhook never delays a rule.
import { Cron } from 'croner';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import { createAlertDispatcher } from '../application/alerts/dispatcher.js';
import { createAlertEvaluator, type AlertSources } from '../application/alerts/evaluator.js';
import type { AlertChannel } from '../application/alerts/channel.js';
import type { CheckpointStore } from '../application/ports/checkpoint-store.js';
import { START, type EventFilter, type EventStore, type Position } from '../application/ports/event-store.js';
import { AlertRule } from '../domain/alerts/events.js';
import { STATE_RULES, type HealthFacts, type PartLag } from '../domain/alerts/rules.js';
import { EventMetadata } from '../domain/events/metadata.js';
import { fieldErrors, formatFieldErrors } from '../domain/primitives/decode-errors.js';
import { webhookChannel } from '../infrastructure/alerts/webhook-channel.js';
import { telegramChannel } from '../infrastructure/alerts/telegram-channel.js';
import { listCollectionStatus } from '../infrastructure/market-data/collection-status-store.js';
import type { AlertConfig } from '../infrastructure/alerts/alert-config.js';
import type { Clock } from '../application/ports/clock.js';
import { openAlertsOfRules } from '../projections/alerts/queries.js';
import { ALL_PROJECTIONS } from '../projections/all.js';
import type { HealthReport } from './api/server.js';
import type { Platform } from './platform.js';

/** The channels the configuration sets up (none: alerts are still recorded and listed by the API). */
export const configuredChannels = (config: AlertConfig, clock: Clock): AlertChannel[] => [
  ...(config.webhook ? [webhookChannel({ ...config.webhook, retry: config.retry, clock })] : []),
  ...(config.telegram ? [telegramChannel({ ...config.telegram, retry: config.retry })] : []),
];

const WirePosition = t.type({ commit: t.string, prepare: t.string });
const Lagging = t.type({ lag: t.number, checkpoint: t.union([t.null, WirePosition]) });
/** The parts of /health (apps/health.ts) the rules read; the report is decoded like any other input. */
const HealthParts = t.intersection([
  t.type({
    unhealthy: t.array(t.string),
    projections: t.array(t.intersection([t.type({ name: t.string }), Lagging])),
    mirror: Lagging,
  }),
  t.partial({ pipeline: t.partial({ lastError: t.union([t.null, t.type({ step: t.string, at: t.string, message: t.string })]) }) }),
]);

const position = (p: t.TypeOf<typeof WirePosition> | null): Position => (p ? { commit: BigInt(p.commit), prepare: BigInt(p.prepare) } : START);

/** When the first event a part has not applied happened (its lag in time); undefined when none waits. */
const oldestWaiting = async (store: EventStore, from: Position, filter?: EventFilter): Promise<string | undefined> => {
  const [first] = await store.readAll({ from, maxCount: 1, ...(filter ? { filter } : {}) });
  if (first === undefined) return undefined;
  const metadata = EventMetadata.decode(first.metadata);
  return either.isRight(metadata) ? metadata.right.occurredAt : undefined;
};

/**
 * The health rules' facts from /health's own report (one definition of lag and of a part being down), with the age
 * of the oldest event each lagging part still has to apply.
 */
export const healthFacts = (store: EventStore, health: () => Promise<HealthReport>) => async (): Promise<HealthFacts> => {
  const decoded = HealthParts.decode(await health());
  // A report without its parts (the database is down, say) is not "everything cleared": the source fails.
  if (either.isLeft(decoded)) throw new Error(`the health report lacks what the alert rules read: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  const r = decoded.right;
  const projections = await Promise.all(
    r.projections.map(async (p): Promise<PartLag> => {
      const filter = ALL_PROJECTIONS.find((x) => x.name === p.name)?.filter;
      return { name: p.name, lagEvents: p.lag, oldestWaitingAt: p.lag > 0 ? await oldestWaiting(store, position(p.checkpoint), filter) : undefined };
    }),
  );
  const mirror: PartLag = {
    name: 'mirror',
    lagEvents: r.mirror.lag,
    oldestWaitingAt: r.mirror.lag > 0 ? await oldestWaiting(store, position(r.mirror.checkpoint)) : undefined,
  };
  return { unhealthy: r.unhealthy, projections, mirror, pipelineError: r.pipeline?.lastError ?? undefined };
};

export interface AlertServiceOptions {
  readonly checkpoints: CheckpointStore;
  /** /health's report (apps/health.ts healthCheck), read by the lag and service rules. */
  readonly health: () => Promise<HealthReport>;
  /** How often the event rules and the dispatcher look at the log (ms, default 2000). */
  readonly followMs?: number;
  /** The state rules' schedule (default every minute). */
  readonly cron?: string;
  /** Channels instead of the configured ones (tests). */
  readonly channels?: readonly AlertChannel[];
}

export const alertSources = (platform: Platform, health: () => Promise<HealthReport>): AlertSources => ({
  health: healthFacts(platform.store, health),
  collection: async () => listCollectionStatus(platform.pool, platform.clock.now()),
  // Rows read back are checked: a rule this code does not know (a newer release's) is left to that release.
  openStateAlerts: async () =>
    (await openAlertsOfRules(platform.pool, STATE_RULES)).flatMap((a) => (AlertRule.is(a.rule) ? [{ dedupKey: a.dedupKey, rule: a.rule }] : [])),
});

export const startAlerts = (platform: Platform, options: AlertServiceOptions) => {
  const config = platform.config.alerts;
  const deps = { store: platform.store, clock: platform.clock, ids: platform.ids, checkpoints: options.checkpoints, log: platform.log };
  const evaluator = createAlertEvaluator({
    ...deps,
    policy: { thresholds: config.thresholds, repeatAfterMs: config.repeatAfterMs, maxEventAgeMs: config.maxEventAgeMs },
    sources: alertSources(platform, options.health),
  });
  const channels = options.channels ?? configuredChannels(config, platform.clock);
  const dispatcher = createAlertDispatcher({ ...deps, channels });
  platform.log.info({ channels: channels.map((c) => c.name), thresholds: config.thresholds }, 'alerts started');

  let stopping = false;
  const running = new Set<Promise<unknown>>();
  /** Runs fn unless the same loop is still busy; its failure is logged, never thrown (the next round tries again). */
  const loop = (name: string) => {
    let busy = false;
    return (fn: () => Promise<unknown>) => {
      if (busy || stopping) return;
      busy = true;
      const p = fn()
        .catch((err: unknown) => platform.log.error({ err: err instanceof Error ? err.message : String(err) }, `alerts: ${name} failed; trying again`))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
    };
  };
  const follow = loop('the event rules');
  const dispatch = loop('the dispatcher');
  const conditions = loop('the state rules');
  const followMs = options.followMs ?? 2000;
  const timer = setInterval(() => {
    follow(() => evaluator.followEvents());
    if (channels.length > 0) dispatch(() => dispatcher.dispatch());
  }, followMs);
  const cron = new Cron(options.cron ?? '* * * * *', { timezone: 'UTC', protect: true }, () => conditions(() => evaluator.evaluateConditions()));

  return {
    evaluator,
    dispatcher,
    stop: async (): Promise<void> => {
      stopping = true;
      clearInterval(timer);
      cron.stop();
      await Promise.allSettled([...running]);
    },
  };
};
