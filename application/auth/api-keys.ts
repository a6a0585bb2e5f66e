// The API keys' command side: creating and revoking a key go through the one command handler with the API keys
// decider (domain/access/decide.ts), so every key's life is on the `api-keys` stream with who decided and why.
// The key material (random, hashed) arrives from outside: this layer neither draws randomness nor hashes.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { apiKeysDecider, type ApiKeyCommand, type ApiKeyRefused, type ApiKeysState } from '../../domain/access/decide.js';
import { API_KEYS_STREAM, type ApiKeyEvent } from '../../domain/access/events.js';
import { handleCommand, loadStream, type CommandDeps, type CommandError, type Handled } from '../commands/handle-command.js';
import type { EventDecodeFailed } from '../events/decode-event.js';
import type { EventStore } from '../ports/event-store.js';

export const recordApiKeyCommand =
  (deps: CommandDeps) =>
  (command: ApiKeyCommand): Promise<Either<CommandError<ApiKeyRefused>, Handled<ApiKeysState>>> =>
    handleCommand(deps, apiKeysDecider, API_KEYS_STREAM, command, { actor: command.data.decidedBy });

export const loadApiKeysState = async (store: EventStore): Promise<Either<EventDecodeFailed, ApiKeysState>> => {
  const loaded = await loadStream<ApiKeyEvent, ApiKeysState>(store, API_KEYS_STREAM, apiKeysDecider);
  return either.isLeft(loaded) ? loaded : either.right(loaded.right.state);
};
