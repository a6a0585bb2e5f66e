// The alert rules (doc/alerts.md), pure: facts in, observations out. Event rules read one stored event (a cycle over
// its budget, a strategy deactivated for breaching its limits, the kill switch and the limits that trip it); state
// rules read what the platform reports now (the health report's parts and lags, the data collection status) and are
// evaluated every minute — an open state alert whose condition is no longer observed resolves.
import type { IsoTimestamp } from '../primitives/codecs.js';
import type { AlertRule } from './events.js';
import type { Observation } from './decide.js';

/** Rules judged on a schedule from what the platform reports now; the others come from stored events. */
export const STATE_RULES: readonly AlertRule[] = ['cycle-failed', 'data-stale', 'projection-lag', 'mirror-lag', 'service-down'];

/** Deactivations by the activation policy for a breach carry this reason prefix (application/pipeline/activation-step.ts). */
const BREACH_REASON = 'breached:';

export interface SourceEvent {
  readonly type: string;
  readonly data: unknown;
  readonly streamName: string;
  readonly occurredAt: IsoTimestamp;
}

export type EventFinding =
  { readonly observe: Observation } | { readonly clear: { readonly dedupKey: string; readonly at: IsoTimestamp; readonly reason: string } } | undefined;

/** One key per account and trigger: releasing the daily-loss switch does not clear a drawdown one still engaged. */
export const killSwitchKey = (account: string, trigger: string) => `kill-switch:${account}:${trigger}`;

type Row = Readonly<Record<string, unknown>>;
const str = (v: unknown) => (typeof v === 'string' ? v : String(v));
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The finding of one stored event, or undefined when no rule reads it. `data` has been decoded by its codec. */
export const findingOfEvent = (e: SourceEvent): EventFinding => {
  const d = e.data as Row;
  switch (e.type) {
    case 'CycleBudgetExhausted': {
      const leftOut = Array.isArray(d['leftOut']) ? d['leftOut'].length : 0;
      const cycleId = str(d['cycleId']);
      return {
        observe: {
          rule: 'cycle-over-budget',
          kind: 'incident',
          severity: 'warning',
          subject: `cycle-${cycleId}`,
          dedupKey: `cycle-over-budget:${cycleId}`,
          message: `the cycle of ${cycleId} ran over its time budget of ${Math.round(num(d['budgetMs']) / 60_000)} min: ${num(d['backtested'])} of ${num(d['planned'])} genomes backtested, ${leftOut} left out`,
          figures: { planned: num(d['planned']), backtested: num(d['backtested']), leftOut, budgetMs: num(d['budgetMs']), elapsedMs: num(d['elapsedMs']) },
          at: e.occurredAt,
        },
      };
    }
    case 'StrategyDeactivated': {
      const reason = str(d['reason']);
      if (!reason.startsWith(BREACH_REASON)) return undefined;
      const strategyId = str(d['strategyId']);
      return {
        observe: {
          rule: 'strategy-deactivated',
          kind: 'incident',
          severity: 'warning',
          subject: strategyId,
          dedupKey: `strategy-deactivated:${strategyId}`,
          message: `strategy ${strategyId} was deactivated by its limits (${reason.slice(BREACH_REASON.length).trim()})`.slice(0, 4000),
          figures: { decidedBy: str(d['decidedBy']).slice(0, 500) },
          at: e.occurredAt,
        },
      };
    }
    case 'KillSwitchEngaged': {
      const account = str(d['account']);
      const trigger = str(d['trigger']);
      const f = (d['figures'] ?? undefined) as Row | undefined;
      const rule: AlertRule = trigger === 'max_drawdown' ? 'drawdown-limit' : trigger === 'daily_loss_limit' ? 'daily-loss-limit' : 'kill-switch';
      const what =
        rule === 'drawdown-limit'
          ? `drawdown ${pct(f?.['actual'])} reached the limit of ${pct(f?.['limit'])}`
          : rule === 'daily-loss-limit'
            ? `the day's loss ${pct(f?.['actual'])} reached the limit of ${pct(f?.['limit'])}`
            : `engaged by ${str(d['decidedBy'])}`;
      return {
        observe: {
          rule,
          kind: 'condition',
          severity: 'critical',
          subject: account,
          dedupKey: killSwitchKey(account, trigger),
          message: `kill switch on account ${account}: ${what} (${str(d['reason'])})`.slice(0, 4000),
          figures: {
            trigger,
            ...(f ? { limit: num(f['limit']), actual: num(f['actual']), equity: num(f['equity']), reference: num(f['reference']) } : {}),
            positionsToClose: Array.isArray(d['positionsToClose']) ? d['positionsToClose'].length : 0,
          },
          at: e.occurredAt,
        },
      };
    }
    case 'KillSwitchReleased': {
      const account = str(d['account']);
      return {
        clear: {
          dedupKey: killSwitchKey(account, str(d['trigger'])),
          at: e.occurredAt,
          reason: `kill switch released by ${str(d['releasedBy'])}: ${str(d['reason'])}`,
        },
      };
    }
    default:
      return undefined;
  }
};

const pct = (v: unknown) => `${(num(v) * 100).toFixed(2)}%`;

export interface AlertThresholds {
  /** A read model or the mirror whose oldest waiting event is older than this is lagging. */
  readonly lagSeconds: number;
  /** A collected series with no new data for this long (or twice its interval, when longer) is stale. */
  readonly staleMinutes: number;
}

/** A part's lag as /health reports it (apps/health.ts), with the time of the oldest event it has not applied. */
export interface PartLag {
  readonly name: string;
  readonly lagEvents: number;
  /** occurredAt of the first event after its checkpoint; undefined when nothing waits. */
  readonly oldestWaitingAt: string | undefined;
}

export interface HealthFacts {
  /** /health's `unhealthy` parts (database, broker, mirror, projection:<name> stopped). */
  readonly unhealthy: readonly string[];
  readonly projections: readonly PartLag[];
  readonly mirror: PartLag | undefined;
  /** The pipeline's last failed step, when the pipeline runs in this process. */
  readonly pipelineError: { readonly step: string; readonly at: string; readonly message: string } | undefined;
}

export const observeHealth = (facts: HealthFacts, now: IsoTimestamp, th: AlertThresholds): Observation[] => {
  const out: Observation[] = [];
  for (const part of facts.unhealthy)
    out.push({
      rule: 'service-down',
      kind: 'condition',
      severity: 'critical',
      subject: part,
      dedupKey: `service-down:${part}`,
      message: `${part} is down (health reports it unhealthy)`,
      figures: {},
      at: now,
    });
  const lagging = (p: PartLag, rule: 'projection-lag' | 'mirror-lag') => {
    if (p.lagEvents <= 0 || p.oldestWaitingAt === undefined) return;
    const seconds = Math.floor((Date.parse(now) - Date.parse(p.oldestWaitingAt)) / 1000);
    if (seconds <= th.lagSeconds) return;
    out.push({
      rule,
      kind: 'condition',
      severity: 'warning',
      subject: p.name,
      dedupKey: `${rule}:${p.name}`,
      message: `${rule === 'mirror-lag' ? 'the mirror' : `projection ${p.name}`} is ${seconds} s behind (${p.lagEvents} events waiting; threshold ${th.lagSeconds} s)`,
      figures: { lagSeconds: seconds, lagEvents: p.lagEvents, thresholdSeconds: th.lagSeconds },
      at: now,
    });
  };
  for (const p of facts.projections) lagging(p, 'projection-lag');
  if (facts.mirror) lagging(facts.mirror, 'mirror-lag');
  const failed = facts.pipelineError;
  if (failed && failed.step === 'cycle')
    out.push({
      rule: 'cycle-failed',
      kind: 'condition',
      severity: 'critical',
      subject: 'cycle',
      dedupKey: 'cycle-failed',
      message: `the daily cycle failed at ${failed.at}: ${failed.message}`.slice(0, 4000),
      figures: { failedAt: failed.at },
      at: now,
    });
  return out;
};

export interface CollectionFacts {
  readonly source: string;
  readonly symbol: string;
  readonly interval: string;
  readonly lastUpdateAt: string | null;
  readonly lastError: string | null;
  readonly consecutiveErrors: number;
}

const INTERVAL_MINUTES: Readonly<Record<string, number>> = { m: 1, h: 60, d: 1440, w: 10_080 };
/** A series' interval in minutes ('1h' → 60); a series without one (daily indices, sentiment) is daily. */
export const intervalMinutes = (interval: string): number => {
  const m = /^(\d{1,4})([mhdw])$/.exec(interval);
  return m ? Number(m[1]) * (INTERVAL_MINUTES[m[2] ?? 'd'] ?? 1440) : 1440;
};

/**
 * Stale: nothing new arrived for max(staleMinutes, 2 intervals) — a daily series is not late after an hour. CSV
 * imports (`csv:*`) are one-off loads, never collected live, so never stale.
 */
export const observeCollection = (rows: readonly CollectionFacts[], now: IsoTimestamp, th: AlertThresholds): Observation[] =>
  rows.flatMap((r): Observation[] => {
    if (r.source.startsWith('csv:')) return [];
    const limit = Math.max(th.staleMinutes, 2 * intervalMinutes(r.interval));
    const ageMinutes = r.lastUpdateAt === null ? Number.POSITIVE_INFINITY : (Date.parse(now) - Date.parse(r.lastUpdateAt)) / 60_000;
    if (ageMinutes <= limit) return [];
    const series = `${r.source}/${r.symbol}${r.interval ? `/${r.interval}` : ''}`;
    return [
      {
        rule: 'data-stale',
        kind: 'condition',
        severity: 'warning',
        subject: series.slice(0, 200),
        dedupKey: `data-stale:${series}`.slice(0, 200),
        message:
          `${series}: ${r.lastUpdateAt === null ? 'no data has arrived yet' : `no new data for ${Math.floor(ageMinutes)} min`} (threshold ${limit} min)${r.lastError ? `; last error: ${r.lastError}` : ''}`.slice(
            0,
            4000,
          ),
        figures: {
          ...(Number.isFinite(ageMinutes) ? { minutesSinceUpdate: Math.floor(ageMinutes) } : {}),
          thresholdMinutes: limit,
          consecutiveErrors: r.consecutiveErrors,
        },
        at: now,
      },
    ];
  });
