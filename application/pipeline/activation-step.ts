// The pipeline's `activation` step (doc/activation.md, doc/monitoring.md): each tick reads the ranking read model,
// finds the live strategies that breach their limits, lets the activation policy (domain/activation/policy.ts)
// decide who is live, records that decision through the strategy decider — deactivations first, so the maximum is
// never exceeded, then activations — and retires persistent underperformers. It holds nothing between ticks:
// event ids derive from the decision's time and the strategy, so a tick repeated after a crash appends nothing
// twice, and a decision left half done (deactivated, not yet activated) is decided again free of the minimum
// interval it started, so it is completed rather than held.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { decideActivation, DEFAULT_ACTIVATION_SETTINGS, type Deactivation, type PolicyDecision, type PolicyInput } from '../../domain/activation/policy.js';
import { manualActivation } from '../../domain/activation/manual.js';
import { decisionRecord } from '../../domain/activation/record.js';
import { findBreaches, findRetirement, type Breach, type MonitorSettings } from '../../domain/monitoring/breaches.js';
import type { Actor, Reason } from '../../domain/primitives/codecs.js';
import type { SettingValues } from '../../domain/settings/definitions.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { candidateFigures, type RankingRow } from '../../domain/monitoring/ranking.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';
import { loadSettings } from '../settings/settings-recorder.js';
import { handleStrategyCommand, type StrategyCommandError } from '../strategy/handle-strategy-command.js';
import { NOTHING_DUE, type PipelineStep, type StepOutcome } from './step.js';

export const ACTIVATION_ACTOR = 'system:activation-policy' as Actor;

export interface ActivationStepDeps {
  readonly store: EventStore;
  readonly ids: IdGenerator;
  /** The ranking read model (projections/ranking/queries.ts listRanking), caught up by the caller. */
  readonly ranking: { list(): Promise<readonly RankingRow[]> };
  /** The latest daily cycle's regime label (projections/ranking/queries.ts latestCycleRegime). */
  readonly currentRegime: () => Promise<string | undefined>;
  /** A row for the log or the progress display (optional). */
  readonly onDecision?: (decision: PolicyDecision, breaches: readonly Breach[]) => void;
}

export const monitorSettings = (v: SettingValues): MonitorSettings => ({
  drawdownMultiple: v['monitor.drawdownMultiple'],
  windowDays: v['monitor.windowDays'],
  minSharpe: v['monitor.minSharpe'],
  maxPaperDivergence: v['monitor.maxPaperDivergence'],
  maxBreaches: v['monitor.maxBreaches'],
  evaluationDays: v['paper.evaluationDays'],
});

/**
 * When the last activation or deactivation was decided, for the minimum interval. A policy decision whose
 * activations are not all live yet (a tick stopped between its deactivations and its activations) does not count:
 * the interval is the one before it, so deciding again completes it.
 */
export const lastChangeFor = (rows: readonly RankingRow[]): number | undefined => {
  const changes = rows.flatMap((r) => (r.lastChange ? [r.lastChange] : []));
  if (changes.length === 0) return undefined;
  const latest = changes.reduce((a, b) => (b.at > a.at ? b : a));
  const decision = latest.decision as { activations?: readonly string[]; lastChangeAt?: number } | undefined;
  if (latest.decidedBy === ACTIVATION_ACTOR && decision?.activations !== undefined) {
    const state = new Map(rows.map((r) => [r.strategyId, r.state]));
    const unfinished = decision.activations.some((id) => state.get(id) === 'Paper');
    if (unfinished) return decision.lastChangeAt;
  }
  return latest.at;
};

/**
 * What the policy weighs at `now`: the live strategies and the paper ones judged eligible (and `also`, an operator's
 * choice), each flagged when it breaches — a live one now, a paper one by the record of its last live period (it
 * would be taken off again at the next tick; an operator may still activate it) — the pins, the interval and the settings from the settings stream.
 */
export const weighing = (rows: readonly RankingRow[], values: SettingValues, regime: string | undefined, now: Date, also?: string) => {
  const monitor = monitorSettings(values);
  const breaches = rows.flatMap((r) => findBreaches(r, monitor));
  const breachedIds = new Set(breaches.map((b) => b.strategyId));
  // A kill switch stays with its period's account (the next activation trades on a new one): not held against it.
  for (const r of rows)
    if (r.state === 'Paper' && r.live !== null && findBreaches({ ...r, state: 'Live', killSwitch: [] }, monitor).length > 0) breachedIds.add(r.strategyId);
  const candidates = rows.filter(
    (r) => r.state === 'Live' || (r.state === 'Paper' && r.evaluation === 'eligible') || (r.strategyId === also && r.state === 'Paper'),
  );
  const lastChangeAt = lastChangeFor(rows);
  const input: PolicyInput = {
    candidates: candidates.map((r) => candidateFigures(r, breachedIds.has(r.strategyId))),
    live: rows.filter((r) => r.state === 'Live').map((r) => r.strategyId),
    pinned: rows.filter((r) => r.pinned).map((r) => r.strategyId),
    ...(lastChangeAt !== undefined ? { lastChangeAt } : {}),
    now: now.getTime(),
    ...(regime !== undefined ? { currentRegime: regime } : {}),
    settings: {
      ...DEFAULT_ACTIVATION_SETTINGS,
      maxActiveStrategies: values.maxActiveStrategies,
      minIntervalMs: values['activation.minIntervalHours'] * 3_600_000,
      replacementMargin: values['activation.replacementMargin'],
    },
  };
  return { input, breaches, breachedIds, monitor };
};

const deactivationReason = (d: Deactivation, decision: PolicyDecision, breaches: readonly Breach[]): string => {
  switch (d.cause) {
    case 'breached':
      return `breached: ${breaches
        .filter((b) => b.strategyId === d.strategyId)
        .map((b) => `${b.rule} — ${b.message}`)
        .join('; ')}`;
    case 'over-maximum':
      return `over-maximum: more live than the maximum of ${decision.settings.maxActiveStrategies}; score ${d.score.toFixed(4)} is the lowest-ranked`;
    case 'outranked': {
      const better = decision.activate.map((w) => `${w.strategyId} (${w.score.toFixed(4)})`).join(', ');
      return `outranked: score ${d.score.toFixed(4)} is below ${better} by at least the margin ${decision.settings.replacementMargin}`;
    }
  }
};

export const createActivationStep = (deps: ActivationStepDeps): PipelineStep => ({
  name: 'activation',
  async tick(now: Date): Promise<StepOutcome> {
    const settings = await loadSettings(deps.store);
    if (either.isLeft(settings)) return { appended: 0, notes: [`activation: the settings stream cannot be read (${settings.left.message}); nothing decided`] };
    const values = settings.right;
    const rows = await deps.ranking.list();
    const regime = await deps.currentRegime();
    const commandDeps = { store: deps.store, ids: deps.ids, clock: { now: () => now } };
    const notes: string[] = [];
    let appended = 0;

    const { input, breaches, breachedIds, monitor } = weighing(rows, values, regime, now);
    for (const r of rows)
      if (r.pinned && r.state === 'Live' && breachedIds.has(r.strategyId))
        notes.push(
          `activation: ${r.strategyId} is pinned and breaches ${breaches
            .filter((b) => b.strategyId === r.strategyId)
            .map((b) => b.rule)
            .join(', ')}; it stays live until an operator acts`,
        );
    const decided = decideActivation(input);
    if (either.isLeft(decided)) return { appended: 0, notes: [`activation: the policy refused its input: ${decided.left.field} ${decided.left.message}`] };
    const decision = decided.right;

    const run = async (command: StrategyCommand, key: string): Promise<boolean> => {
      const done = await handleStrategyCommand(commandDeps, command, {
        actor: ACTIVATION_ACTOR,
        idempotencyKey: key,
        correlationId: deps.ids.idFor(`activation:${decision.decidedAt}`),
      });
      if (either.isLeft(done)) {
        notes.push(`activation: ${command.type} ${command.strategyId} refused: ${describe(done.left)}`);
        return false;
      }
      appended += done.right.events.length;
      return true;
    };

    const breachDeactivated = new Set<string>();
    if (decision.activate.length > 0 || decision.deactivate.length > 0) {
      deps.onDecision?.(decision, breaches);
      for (const d of decision.deactivate) {
        const record = decisionRecord(decision, d.strategyId);
        if (either.isLeft(record)) {
          notes.push(`activation: the decision for ${d.strategyId} does not encode: ${record.left.map((e) => `${e.path} ${e.message}`).join('; ')}`);
          continue;
        }
        const ok = await run(
          {
            type: 'DeactivateStrategy',
            strategyId: d.strategyId as never,
            data: { decidedBy: ACTIVATION_ACTOR, reason: deactivationReason(d, decision, breaches) as never, decision: record.right },
          },
          `activation-policy:${decision.decidedAt}:${d.strategyId}:deactivate`,
        );
        if (ok && d.cause === 'breached') breachDeactivated.add(d.strategyId);
      }
      for (const a of decision.activate) {
        const record = decisionRecord(decision, a.strategyId);
        if (either.isLeft(record)) {
          notes.push(`activation: the decision for ${a.strategyId} does not encode: ${record.left.map((e) => `${e.path} ${e.message}`).join('; ')}`);
          continue;
        }
        const rank = decision.weighed.findIndex((w) => w.strategyId === a.strategyId) + 1;
        await run(
          {
            type: 'ActivateStrategy',
            strategyId: a.strategyId as never,
            data: {
              decidedBy: ACTIVATION_ACTOR,
              reason:
                `ranked ${rank} of ${decision.weighed.length} with score ${a.score.toFixed(4)}${decision.held ? ', replacing a breached strategy inside the minimum interval' : ''}` as never,
              decision: record.right,
            },
          },
          `activation-policy:${decision.decidedAt}:${a.strategyId}:activate`,
        );
      }
      notes.push(
        `activation: live ${decision.liveBefore.length} → ${decision.liveAfter.length}` +
          (decision.activate.length > 0 ? `; activated ${decision.activate.map((w) => w.strategyId).join(', ')}` : '') +
          (decision.deactivate.length > 0 ? `; deactivated ${decision.deactivate.map((w) => `${w.strategyId} (${w.cause})`).join(', ')}` : ''),
      );
    }

    for (const r of rows) {
      const retirement = findRetirement(r, monitor, breachDeactivated.has(r.strategyId) ? 1 : 0);
      if (retirement === undefined) continue;
      // A live one not deactivated above (it did not breach now) is left to the deactivation a breach brings.
      if (r.state === 'Live' && !breachDeactivated.has(r.strategyId)) continue;
      const ok = await run(
        {
          type: 'RetireStrategy',
          strategyId: r.strategyId as never,
          data: { decidedBy: ACTIVATION_ACTOR, reason: `${retirement.rule}: ${retirement.message}` as never },
        },
        `activation-policy:retire:${r.strategyId}`,
      );
      if (ok) notes.push(`activation: retired ${r.strategyId} (${retirement.rule})`);
    }
    return appended === 0 && notes.length === 0 ? NOTHING_DUE : { appended, notes };
  },
});

const describe = (e: StrategyCommandError): string => ('message' in e && typeof e.message === 'string' ? e.message : e.kind);

export interface ManualActivationDeps extends Omit<ActivationStepDeps, 'onDecision'> {
  readonly clock: Clock;
}

export interface ManualActivationDone {
  readonly activated: string;
  readonly deactivated: readonly string[];
  readonly decision: PolicyDecision;
}

/**
 * An operator's activation (`npm run operator -- activate`): the policy's weighing with the operator's strategy
 * forced in (domain/activation/manual.ts), recorded like the policy's — the lowest-ranked unpinned live strategy
 * deactivated first when at the maximum, each with the decision — under the operator's name and reason.
 */
export const activateManually = async (
  deps: ManualActivationDeps,
  strategyId: string,
  actor: Actor,
  reason: Reason,
): Promise<Either<string, ManualActivationDone>> => {
  const settings = await loadSettings(deps.store);
  if (either.isLeft(settings)) return either.left(`the settings stream cannot be read: ${settings.left.message}`);
  const rows = await deps.ranking.list();
  const now = deps.clock.now();
  const { input } = weighing(rows, settings.right, await deps.currentRegime(), now, strategyId);
  const manual = manualActivation(input, strategyId);
  if (either.isLeft(manual)) return either.left(manual.left.message);
  const decision = manual.right;
  const commandDeps = { store: deps.store, ids: deps.ids, clock: deps.clock };
  const deactivated: string[] = [];
  for (const d of decision.deactivate) {
    const record = decisionRecord(decision, d.strategyId);
    if (either.isLeft(record))
      return either.left(`the decision for ${d.strategyId} does not encode: ${record.left.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    const done = await handleStrategyCommand(
      commandDeps,
      {
        type: 'DeactivateStrategy',
        strategyId: d.strategyId as never,
        data: {
          decidedBy: actor,
          reason: `outranked: made room at the maximum for ${strategyId}, activated by ${actor}: ${reason}`.slice(0, 2000) as Reason,
          decision: record.right,
        },
      },
      { actor },
    );
    if (either.isLeft(done)) return either.left(`deactivating ${d.strategyId} to make room was refused: ${describe(done.left)}`);
    deactivated.push(d.strategyId);
  }
  const record = decisionRecord(decision, strategyId);
  if (either.isLeft(record))
    return either.left(`the decision for ${strategyId} does not encode: ${record.left.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  const done = await handleStrategyCommand(
    commandDeps,
    { type: 'ActivateStrategy', strategyId: strategyId as never, data: { decidedBy: actor, reason, decision: record.right } },
    { actor },
  );
  if (either.isLeft(done)) return either.left(`activating ${strategyId} was refused: ${describe(done.left)}`);
  return either.right({ activated: strategyId, deactivated, decision });
};
