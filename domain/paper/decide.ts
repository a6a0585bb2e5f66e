// The paper session's lifecycle: started once, stopped once after it started. The record is what it ran with
// (events.ts); the rules keep it one start and one stop, with a summary for the accounts the session had.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { PaperSessionEvent, PaperSessionEventOf } from './events.js';

export type PaperSessionCommand =
  | { readonly type: 'StartPaperSession'; readonly data: PaperSessionEventOf<'PaperSessionStarted'>['data'] }
  | { readonly type: 'StopPaperSession'; readonly data: PaperSessionEventOf<'PaperSessionStopped'>['data'] };

export type PaperSessionState =
  { readonly status: 'initial' } | { readonly status: 'running' | 'stopped'; readonly sessionId: string; readonly accounts: readonly string[] };

export interface PaperSessionRefused {
  readonly kind: 'PaperSessionRefused';
  readonly command: PaperSessionCommand['type'];
  readonly message: string;
}

type Decision = Either<PaperSessionRefused, readonly PaperSessionEvent[]>;

const refuse = (command: PaperSessionCommand, message: string): Decision => either.left({ kind: 'PaperSessionRefused', command: command.type, message });

export const initialPaperSessionState = (): PaperSessionState => ({ status: 'initial' });

export const evolvePaperSession = (state: PaperSessionState, event: PaperSessionEvent): PaperSessionState => {
  switch (event.type) {
    case 'PaperSessionStarted':
      return { status: 'running', sessionId: event.data.sessionId, accounts: event.data.accounts.map((a) => a.account) };
    case 'PaperSessionStopped':
      return state.status === 'initial' ? state : { ...state, status: 'stopped' };
  }
};

export const decidePaperSession = (command: PaperSessionCommand, state: PaperSessionState): Decision => {
  switch (command.type) {
    case 'StartPaperSession': {
      const d = command.data;
      if (state.status !== 'initial') return refuse(command, `paper session ${state.sessionId} has already started`);
      if (d.accounts.length === 0) return refuse(command, 'a paper session needs at least one account');
      const names = d.accounts.map((a) => a.account);
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice !== undefined) return refuse(command, `account ${twice} is named twice (one strategy per account)`);
      const anonymous = d.accounts.find((a) => a.strategyId === undefined && a.genome === undefined);
      if (anonymous !== undefined) return refuse(command, `account ${anonymous.account}: name its strategy (a strategy id or a genome)`);
      if (d.window.kind === 'replay' && !(d.window.from < d.window.to)) return refuse(command, 'the replay window must end after it begins');
      return either.right([{ type: 'PaperSessionStarted', data: d }]);
    }
    case 'StopPaperSession': {
      const d = command.data;
      if (state.status === 'initial') return refuse(command, 'the paper session has not started');
      if (state.status === 'stopped') return refuse(command, `paper session ${state.sessionId} has already stopped`);
      if (d.sessionId !== state.sessionId) return refuse(command, `this is paper session ${state.sessionId}, not ${d.sessionId}`);
      const stranger = d.accounts.find((a) => !state.accounts.includes(a.account));
      if (stranger !== undefined) return refuse(command, `account ${stranger.account} is not one of the session's`);
      return either.right([{ type: 'PaperSessionStopped', data: d }]);
    }
  }
};

export const paperSessionDecider = { decide: decidePaperSession, evolve: evolvePaperSession, initialState: initialPaperSessionState };
