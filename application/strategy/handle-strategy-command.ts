// The command side of a strategy: load its stream, fold it, let the domain decide, append with optimistic concurrency.
// Nothing is appended unless every step succeeds. With an idempotency key, event ids derive from the key,
// so a retried command (even after a crash between append and reply) appends nothing and answers as the first time.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { SCHEMA_VERSION } from '../../domain/events/catalog.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { decide, type IllegalTransition } from '../../domain/strategy/decide.js';
import { strategyStream, type StrategyEvent } from '../../domain/strategy/events.js';
import { describeState, evolve, initialState, type StrategyState } from '../../domain/strategy/state.js';
import { decodeAll, type EventDecodeFailed } from '../events/decode-event.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore, NewEvent, PartialDuplicate, WrongExpectedRevision } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';

export interface StrategyNotFound {
  readonly kind: 'StrategyNotFound';
  readonly strategyId: string;
}

export type StrategyCommandError =
  | StrategyNotFound
  | (IllegalTransition & { readonly currentRevision: number })
  | WrongExpectedRevision
  | PartialDuplicate
  | EventDecodeFailed;

export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly idempotencyKey?: string;
  /** The revision the caller last saw; a mismatch is a conflict, not a silent overwrite. */
  readonly expectedRevision?: bigint;
}

export interface CommandAccepted {
  readonly strategyId: string;
  /** Revision of the stream's last event after the command. */
  readonly revision: number;
  readonly state: string;
  readonly events: readonly { readonly eventId: string; readonly type: string }[];
}

export interface StrategyCommandDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export const loadStrategy = async (
  store: EventStore,
  strategyId: string,
): Promise<Either<EventDecodeFailed, LoadedStrategy>> => {
  const recorded = await store.readStream(strategyStream(strategyId));
  const decoded = decodeAll<StrategyEvent>(recorded);
  if (either.isLeft(decoded)) return decoded;
  const events = decoded.right.map((d) => d.event);
  const last = recorded[recorded.length - 1];
  return either.right({
    state: events.reduce(evolve, initialState()),
    revision: last?.revision,
    events,
    eventIds: new Map(recorded.map((r) => [r.eventId, Number(r.revision)])),
  });
};

export interface LoadedStrategy {
  readonly state: StrategyState;
  readonly revision: bigint | undefined;
  readonly events: readonly StrategyEvent[];
  readonly eventIds: ReadonlyMap<string, number>;
}

export const handleStrategyCommand = async (
  deps: StrategyCommandDeps,
  command: StrategyCommand,
  ctx: CommandContext,
): Promise<Either<StrategyCommandError, CommandAccepted>> => {
  const loaded = await loadStrategy(deps.store, command.strategyId);
  if (either.isLeft(loaded)) return loaded;
  const { state, revision, eventIds, events } = loaded.right;

  const eventIdAt = (i: number) => (ctx.idempotencyKey ? deps.ids.idFor(`${ctx.idempotencyKey}:${command.type}:${i}`) : deps.ids.newId());
  const firstId = eventIdAt(0);
  if (ctx.idempotencyKey && eventIds.has(firstId)) {
    // Already done by an earlier attempt with this key: answer as that attempt did.
    let lastRevision = eventIds.get(firstId) ?? 0;
    for (let i = 1; eventIds.has(eventIdAt(i)); i++) lastRevision = eventIds.get(eventIdAt(i)) ?? lastRevision;
    const stateThen = events.slice(0, lastRevision + 1).reduce(evolve, initialState());
    return either.right({ strategyId: command.strategyId, revision: lastRevision, state: describeState(stateThen), events: [] });
  }

  if (command.type !== 'GenerateStrategy' && revision === undefined) return either.left({ kind: 'StrategyNotFound', strategyId: command.strategyId });
  if (ctx.expectedRevision !== undefined && ctx.expectedRevision !== revision)
    return either.left({
      kind: 'WrongExpectedRevision',
      streamName: strategyStream(command.strategyId),
      expected: ctx.expectedRevision,
      actual: revision ?? 'no_stream',
    });

  const decision = decide(command, state);
  if (either.isLeft(decision)) return either.left({ ...decision.left, currentRevision: revision === undefined ? -1 : Number(revision) });

  const occurredAt = deps.clock.now().toISOString();
  const newEvents: NewEvent[] = decision.right.map((event, i) => {
    const eventId = i === 0 ? firstId : eventIdAt(i);
    const metadata: EventMetadata = {
      correlationId: ctx.correlationId ?? firstId,
      causationId: ctx.causationId ?? ctx.correlationId ?? firstId,
      actor: ctx.actor,
      schemaVersion: SCHEMA_VERSION as EventMetadata['schemaVersion'],
      occurredAt: occurredAt as EventMetadata['occurredAt'],
      ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
    };
    return { eventId, type: event.type, data: event.data, metadata };
  });

  const appended = await deps.store.appendToStream(strategyStream(command.strategyId), newEvents, {
    expectedRevision: revision === undefined ? 'no_stream' : revision,
  });
  if (either.isLeft(appended)) return appended;
  const after = decision.right.reduce(evolve, state);
  return either.right({
    strategyId: command.strategyId,
    revision: Number(appended.right.nextExpectedRevision),
    state: describeState(after),
    events: appended.right.appended ? newEvents.map((e) => ({ eventId: e.eventId, type: e.type })) : [],
  });
};
