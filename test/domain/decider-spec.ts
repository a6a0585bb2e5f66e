// Given/when/then for deciders, after Emmett's DeciderSpecification: the history folds into a state,
// the command is decided against that state, and the outcome is compared with what the rule says.
//   spec(decider).given([generated]).when(recordBacktest).then([backtested])
//   spec(decider).given([]).when(retire).thenFails({ kind: 'IllegalTransition' })
import { inspect } from 'node:util';
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';

export interface Decider<Command, Event, State, Error> {
  readonly decide: (command: Command, state: State) => Either<Error, readonly Event[]>;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}

/** Either the fields the error must have (compared deeply), or a function that asserts on the error itself. */
export type ErrorMatcher<Error> = Partial<Error> | ((error: Error) => void);

export interface Then<Event, Error> {
  /** The command succeeds with exactly these events, in this order. */
  readonly then: (expected: readonly Event[]) => void;
  /** The command succeeds and changes nothing (an idempotent no-op). */
  readonly thenNothingHappened: () => void;
  /** The command is refused; without a matcher any refusal will do. */
  readonly thenFails: (matcher?: ErrorMatcher<Error>) => void;
}

const show = (value: unknown) => inspect(value, { depth: 8, breakLength: 120 });

export const spec = <Command, Event, State, Error>(decider: Decider<Command, Event, State, Error>) => ({
  given: (history: readonly Event[]) => ({
    when: (command: Command): Then<Event, Error> => {
      const run = () => decider.decide(command, history.reduce<State>(decider.evolve, decider.initialState()));
      const succeeded = (): readonly Event[] => {
        const outcome = run();
        if (either.isLeft(outcome)) return expect.fail(`expected the command to succeed, but it was refused: ${show(outcome.left)}`);
        return outcome.right;
      };
      return {
        then: (expected) => expect(succeeded()).to.deep.equal(expected),
        thenNothingHappened: () => expect(succeeded()).to.deep.equal([]),
        thenFails: (matcher) => {
          const outcome = run();
          if (either.isRight(outcome)) return expect.fail(`expected the command to be refused, but it produced ${show(outcome.right)}`);
          if (typeof matcher === 'function') matcher(outcome.left);
          else if (matcher !== undefined) expect(outcome.left).to.deep.include(matcher);
        },
      };
    },
  }),
});
