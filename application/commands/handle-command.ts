// The command side of any event-sourced aggregate: load its stream, fold it, let the domain decide, append with
// optimistic concurrency. Nothing is appended unless every step succeeds. With an idempotency key, event ids derive
// from the key, so a retried command (even after a crash between append and reply) appends nothing and answers as
// the first attempt did. Every decider (strategies, quarantine, and the order, risk and portfolio deciders to come)
// goes through this one handler and this one metadata builder.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { SCHEMA_VERSION } from '../../domain/events/catalog.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { decodeAll, type EventDecodeFailed } from '../events/decode-event.js';
import type { Clock } from '../ports/clock.js';
import type { AppendError, EventStore, NewEvent, WrongExpectedRevision } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';

export interface DomainEvent {
  readonly type: string;
  readonly data: unknown;
}

/** A decider as the domain writes it: pure decide and evolve, and the state before the first event. */
export interface Decider<C, E extends DomainEvent, S, Err> {
  readonly decide: (command: C, state: S) => Either<Err, readonly E[]>;
  readonly evolve: (state: S, event: E) => S;
  readonly initialState: () => S;
}

export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly idempotencyKey?: string;
  /** The revision the caller last saw; a mismatch is a conflict, not a silent overwrite. */
  readonly expectedRevision?: bigint;
}

export interface CommandDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export interface LoadedStream<E, S> {
  readonly state: S;
  /** Revision of the stream's last event; undefined when the stream does not exist. */
  readonly revision: bigint | undefined;
  readonly events: readonly E[];
  /** Event id → revision. */
  readonly eventIds: ReadonlyMap<string, number>;
}

export interface Handled<S> {
  /** Revision of the stream's last event after the command. */
  readonly revision: number;
  readonly state: S;
  /** The events this call appended (none when it replayed an earlier attempt or decided nothing). */
  readonly events: readonly { readonly eventId: string; readonly type: string }[];
}

export type CommandError<Err> = Err | WrongExpectedRevision | AppendError | EventDecodeFailed;

/** Reads and folds a stream; a stored event that does not decode is a typed failure, never a skipped event. */
export const loadStream = async <E extends DomainEvent, S>(
  store: EventStore,
  streamName: string,
  decider: Pick<Decider<never, E, S, never>, 'evolve' | 'initialState'>,
): Promise<Either<EventDecodeFailed, LoadedStream<E, S>>> => {
  const recorded = await store.readStream(streamName);
  const decoded = decodeAll<E>(recorded);
  if (either.isLeft(decoded)) return decoded;
  const events = decoded.right.map((d) => d.event);
  return either.right({
    state: events.reduce(decider.evolve, decider.initialState()),
    revision: recorded[recorded.length - 1]?.revision,
    events,
    eventIds: new Map(recorded.map((r) => [r.eventId, Number(r.revision)])),
  });
};

/** The metadata every appended event carries. */
export const eventMetadata = (ctx: CommandContext, occurredAt: Date, firstEventId: string): EventMetadata => ({
  correlationId: ctx.correlationId ?? firstEventId,
  causationId: ctx.causationId ?? ctx.correlationId ?? firstEventId,
  actor: ctx.actor,
  schemaVersion: SCHEMA_VERSION as EventMetadata['schemaVersion'],
  occurredAt: occurredAt.toISOString() as EventMetadata['occurredAt'],
  ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
});

export interface CommandHooks<C, E, S, Err, E2> {
  /** Refuses before deciding (e.g. "not found" for a command that needs an existing stream). */
  readonly refuse?: (loaded: LoadedStream<E, S>, command: C) => E2 | undefined;
  /** Adds what the caller needs to a refusal of the decider (e.g. the current revision). */
  readonly refused?: (error: Err, loaded: LoadedStream<E, S>, command: C) => E2;
}

/** One command of a batch, with its own context (actor, idempotency key, expected revision). */
export interface CommandStep<C> {
  readonly command: C;
  readonly ctx: CommandContext;
}

export const handleCommand = async <C extends { readonly type: string }, E extends DomainEvent, S, Err, E2 = Err>(
  deps: CommandDeps,
  decider: Decider<C, E, S, Err>,
  streamName: string,
  command: C,
  ctx: CommandContext,
  hooks: CommandHooks<C, E, S, Err, E2> = {},
): Promise<Either<CommandError<E2>, Handled<S>>> => handleCommands(deps, decider, streamName, [{ command, ctx }], hooks);

/**
 * Several commands on one stream, decided in order — each on the state the previous ones left — and appended
 * together: one read, one atomic append, the events (ids, metadata, revisions) those of the same commands sent one
 * after the other. All or nothing: a refusal of any command appends none. A command its idempotency key shows done is
 * passed over, as a lone retry would answer it. `loaded`: the stream as the caller just read it (saves the read; the
 * append's expected revision still guards against a writer in between).
 */
export const handleCommands = async <C extends { readonly type: string }, E extends DomainEvent, S, Err, E2 = Err>(
  ...args: HandleArgs<C, E, S, Err, E2>
): Promise<Either<CommandError<E2>, Handled<S>>> => either.map((r: HandledOn<E, S>) => r.handled)(await handleCommandsOn(...args));

/** handleCommands' and handleCommandsOn's parameters. */
type HandleArgs<C, E extends DomainEvent, S, Err, E2> = [
  deps: CommandDeps,
  decider: Decider<C, E, S, Err>,
  streamName: string,
  steps: readonly CommandStep<C>[],
  hooks?: CommandHooks<C, E, S, Err, E2>,
  loaded?: LoadedStream<E, S>,
];

/** What handleCommandsOn answers: the outcome, and the stream as the call left it. */
export interface HandledOn<E, S> {
  readonly handled: Handled<S>;
  /**
   * The stream after the call, to pass as `loaded` to the next one instead of reading it again; absent when the
   * store took none of the events as new (an earlier attempt had stored them), so what it holds is not known here.
   */
  readonly stream?: LoadedStream<E, S>;
}

/** handleCommands, answering also the stream as it leaves it (a caller appending to one stream again and again). */
export const handleCommandsOn = async <C extends { readonly type: string }, E extends DomainEvent, S, Err, E2 = Err>(
  ...[deps, decider, streamName, steps, hooks = {}, loaded]: HandleArgs<C, E, S, Err, E2>
): Promise<Either<CommandError<E2>, HandledOn<E, S>>> => {
  let read = loaded;
  if (read === undefined) {
    const fresh = await loadStream(deps.store, streamName, decider);
    if (either.isLeft(fresh)) return fresh;
    read = fresh.right;
  }
  let state = read.state;
  let revision = read.revision;
  const events = [...read.events];
  const eventIds = new Map(read.eventIds);
  const pending: NewEvent[] = [];
  // What to answer when nothing is appended: the last command's outcome (an earlier attempt's, or "nothing to do").
  let answer: { readonly revision: number; readonly state: S } | undefined;

  for (const { command, ctx } of steps) {
    const eventIdAt = (i: number) => (ctx.idempotencyKey ? deps.ids.idFor(`${ctx.idempotencyKey}:${command.type}:${i}`) : deps.ids.newId());
    const firstId = eventIdAt(0);
    if (ctx.idempotencyKey && eventIds.has(firstId)) {
      // Already done by an earlier attempt with this key: answer as that attempt did.
      let lastRevision = eventIds.get(firstId) ?? 0;
      for (let i = 1; eventIds.has(eventIdAt(i)); i++) lastRevision = eventIds.get(eventIdAt(i)) ?? lastRevision;
      answer = { revision: lastRevision, state: events.slice(0, lastRevision + 1).reduce(decider.evolve, decider.initialState()) };
      continue;
    }
    const view: LoadedStream<E, S> = { state, revision, events, eventIds };
    const refusal = hooks.refuse?.(view, command);
    if (refusal !== undefined) return either.left(refusal);
    if (ctx.expectedRevision !== undefined && ctx.expectedRevision !== revision)
      return either.left({ kind: 'WrongExpectedRevision', streamName, expected: ctx.expectedRevision, actual: revision ?? 'no_stream' });

    const decision = decider.decide(command, state);
    if (either.isLeft(decision)) return either.left(hooks.refused ? hooks.refused(decision.left, view, command) : (decision.left as unknown as E2));
    if (decision.right.length === 0) {
      answer = { revision: revision === undefined ? -1 : Number(revision), state };
      continue;
    }
    const occurredAt = deps.clock.now();
    decision.right.forEach((event, i) => {
      const eventId = i === 0 ? firstId : eventIdAt(i);
      pending.push({ eventId, type: event.type, data: event.data, metadata: eventMetadata(ctx, occurredAt, firstId) });
      revision = revision === undefined ? 0n : revision + 1n;
      events.push(event);
      eventIds.set(eventId, Number(revision));
      state = decider.evolve(state, event);
    });
  }

  if (pending.length === 0)
    return either.right({
      handled: { revision: answer?.revision ?? (revision === undefined ? -1 : Number(revision)), state: answer?.state ?? state, events: [] },
      stream: read,
    });
  const appended = await deps.store.appendToStream(streamName, pending, { expectedRevision: read.revision === undefined ? 'no_stream' : read.revision });
  if (either.isLeft(appended)) return appended;
  return either.right({
    handled: {
      revision: Number(appended.right.nextExpectedRevision),
      state,
      events: appended.right.appended ? pending.map((e) => ({ eventId: e.eventId, type: e.type })) : [],
    },
    ...(appended.right.appended ? { stream: { state, revision, events, eventIds } } : {}),
  });
};
