// The API keys' rules: a name names one key for ever (it is the actor of what the key did, so a revoked key's name
// is never reused); a key id is never reused; only an operator creates or revokes; revoking a revoked key records
// nothing; revoking an unknown key is refused.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { Actor, Reason } from '../primitives/codecs.js';
import type { ApiKeyEvent, ApiKeyId, ApiKeyName, KeyHash } from './events.js';
import type { Role } from './roles.js';

export type ApiKeyCommand =
  | {
      readonly type: 'CreateApiKey';
      readonly data: {
        readonly keyId: ApiKeyId;
        readonly name: ApiKeyName;
        readonly role: Role;
        readonly keyHash: KeyHash;
        readonly decidedBy: Actor;
        readonly purpose?: Reason;
      };
    }
  | { readonly type: 'RevokeApiKey'; readonly data: { readonly keyId: ApiKeyId; readonly decidedBy: Actor; readonly reason: Reason } };

export interface ApiKeyRefused {
  readonly kind: 'ApiKeyRefused';
  readonly code: 'NotAnOperator' | 'NameTaken' | 'IdTaken' | 'UnknownKey';
  readonly message: string;
}

export interface ApiKeysState {
  readonly keys: Readonly<Record<string, { readonly name: ApiKeyName; readonly role: Role; readonly revoked: boolean }>>;
}

export const initialApiKeysState = (): ApiKeysState => ({ keys: {} });

export const evolveApiKeys = (state: ApiKeysState, event: ApiKeyEvent): ApiKeysState => {
  switch (event.type) {
    case 'ApiKeyCreated':
      return { keys: { ...state.keys, [event.data.keyId]: { name: event.data.name, role: event.data.role, revoked: false } } };
    case 'ApiKeyRevoked': {
      const key = state.keys[event.data.keyId];
      return key === undefined ? state : { keys: { ...state.keys, [event.data.keyId]: { ...key, revoked: true } } };
    }
    default: {
      const unknown: never = event;
      throw new Error(`evolveApiKeys: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
};

const refuse = (code: ApiKeyRefused['code'], message: string): Either<ApiKeyRefused, readonly ApiKeyEvent[]> =>
  either.left({ kind: 'ApiKeyRefused', code, message });

export const decideApiKeys = (command: ApiKeyCommand, state: ApiKeysState): Either<ApiKeyRefused, readonly ApiKeyEvent[]> => {
  if (!command.data.decidedBy.startsWith('operator:')) return refuse('NotAnOperator', `API keys are managed by an operator, not ${command.data.decidedBy}`);
  switch (command.type) {
    case 'CreateApiKey': {
      const { keyId, name, role, keyHash, decidedBy, purpose } = command.data;
      if (state.keys[keyId] !== undefined) return refuse('IdTaken', `a key with id ${keyId} exists already`);
      if (Object.values(state.keys).some((k) => k.name === name))
        return refuse('NameTaken', `the name "${name}" is taken (names are never reused: a name is the actor of what its key did)`);
      return either.right([
        { type: 'ApiKeyCreated', data: { keyId, name, role, keyHash, createdBy: decidedBy, ...(purpose === undefined ? {} : { purpose }) } },
      ]);
    }
    case 'RevokeApiKey': {
      const { keyId, decidedBy, reason } = command.data;
      const key = state.keys[keyId];
      if (key === undefined) return refuse('UnknownKey', `no API key ${keyId}`);
      if (key.revoked) return either.right([]);
      return either.right([{ type: 'ApiKeyRevoked', data: { keyId, name: key.name, revokedBy: decidedBy, reason } }]);
    }
    default: {
      const unknown: never = command;
      throw new Error(`decideApiKeys: unhandled command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The API keys decider as the one command handler takes it (application/commands/handle-command.ts). */
export const apiKeysDecider = { decide: decideApiKeys, evolve: evolveApiKeys, initialState: initialApiKeysState };
