// `npm run keys -- <create | list | revoke>`: the API keys (doc/security.md).
//   create --name <name> --role viewer|operator|admin [--purpose "<what for>"] [--actor operator:<name>]   prints the new key, once
//   list                                                                           every key, never a secret
//   revoke <id> --reason "<why>" [--actor operator:<name>]                        refused by the API from the next request
// `--actor` says who decides (default: operator:<this machine's user name>). Each creation and revocation is an event
// on the `api-keys` stream (only the key's SHA-256 is kept); the api_keys table is brought up to date right after.
// Exit 2 on wrong arguments, 1 when refused (a taken name, an unknown key).
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { either } from 'fp-ts';
import { recordApiKeyCommand } from '../../application/auth/api-keys.js';
import { ApiKeyId, ApiKeyName } from '../../domain/access/events.js';
import { Role, ROLES } from '../../domain/access/roles.js';
import { Actor, Reason } from '../../domain/primitives/codecs.js';
import { listApiKeys, syncApiKeyTable } from '../../infrastructure/auth/api-key-table.js';
import { newKeyMaterial } from '../../infrastructure/auth/key-material.js';
import { describeFailure } from '../failure.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';

const USAGE = `usage: npm run keys -- create --name <name> --role ${ROLES.join('|')} [--purpose "<what for>"] [--actor operator:<name>]
       npm run keys -- list
       npm run keys -- revoke <id> --reason "<why>" [--actor operator:<name>]`;

const usage = (message: string): never => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
};

const parsed = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        role: { type: 'string' },
        actor: { type: 'string' },
        reason: { type: 'string' },
        purpose: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
})();
if (parsed.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [verb, id, ...extra] = parsed.positionals;
const v = parsed.values;
if (verb === undefined) usage('say what to do: create, list or revoke');
if (verb !== 'create' && verb !== 'list' && verb !== 'revoke') usage(`unknown command "${verb}"`);
const given = (['name', 'role', 'actor', 'reason', 'purpose'] as const).filter((f) => v[f] !== undefined);
const allowed: readonly string[] = { create: ['name', 'role', 'actor', 'purpose'], list: [], revoke: ['actor', 'reason'] }[
  verb as 'create' | 'list' | 'revoke'
];
const stray = given.find((f) => !allowed.includes(f));
if (stray !== undefined) usage(`${verb} takes no --${stray}`);
if (extra.length > 0 || (verb !== 'revoke' && id !== undefined))
  usage(`unexpected arguments: ${[verb === 'revoke' ? undefined : id, ...extra].filter(Boolean).join(' ')}`);

const actor = (): Actor => {
  const a = v.actor ?? `operator:${userInfo().username}`;
  return Actor.is(a) && a.startsWith('operator:') ? a : usage(`--actor: "${a}" is not operator:<name> (letters, digits, . _ @ -; at most 100)`);
};
const args =
  verb === 'create'
    ? {
        kind: 'create' as const,
        name: ApiKeyName.is(v.name)
          ? v.name
          : usage(`--name is required: ${v.name === undefined ? 'missing' : `"${v.name}" is not`} a name (letters, digits, . _ @ -; 1 to 100)`),
        role: Role.is(v.role) ? v.role : usage(`--role is required: one of ${ROLES.join(', ')}${v.role === undefined ? '' : `, not "${v.role}"`}`),
        actor: actor(),
        purpose:
          v.purpose === undefined
            ? undefined
            : Reason.is(v.purpose)
              ? v.purpose
              : usage('--purpose: say what the key is for (1 to 2000 characters, not blank)'),
      }
    : verb === 'revoke'
      ? {
          kind: 'revoke' as const,
          keyId: ApiKeyId.is(id)
            ? id
            : usage(`revoke: name the key by its id (16 hex characters, as \`keys list\` shows)${id === undefined ? '' : `, not "${id}"`}`),
          reason: v.reason !== undefined && Reason.is(v.reason) ? v.reason : usage('--reason "<why>" is required (1 to 2000 characters, not blank)'),
          actor: actor(),
        }
      : undefined;

await runCommand('keys', async () => {
  const platform = await openPlatform(configOrExit(), 'keys', { role: 'command' });
  const print = (s: string) => process.stdout.write(`${s}\n`);
  const deps = { store: platform.store, clock: platform.clock, ids: platform.ids };
  try {
    if (args === undefined) {
      await syncApiKeyTable(platform.store, platform.pool);
      const keys = await listApiKeys(platform.pool);
      if (keys.length === 0) print('no API keys yet: npm run keys -- create --name <name> --role admin');
      for (const k of keys)
        print(
          [
            k.id,
            k.name.padEnd(20),
            k.role.padEnd(8),
            `created ${k.createdAt} by ${k.createdBy}`,
            k.revokedAt ? `REVOKED ${k.revokedAt} by ${k.revokedBy}: ${k.revokeReason}` : 'active',
            `last used ${k.lastUsedAt ?? 'never'}`,
          ].join('  '),
        );
      return 0;
    }
    if (args.kind === 'create') {
      const material = newKeyMaterial();
      const done = await recordApiKeyCommand(deps)({
        type: 'CreateApiKey',
        data: {
          keyId: material.keyId,
          name: args.name,
          role: args.role,
          keyHash: material.keyHash,
          decidedBy: args.actor,
          ...(args.purpose === undefined ? {} : { purpose: args.purpose }),
        },
      });
      if (either.isLeft(done)) {
        process.stderr.write(`refused: ${done.left.kind === 'ApiKeyRefused' ? done.left.message : describeFailure(done.left)}\n`);
        return 1;
      }
      await syncApiKeyTable(platform.store, platform.pool);
      print(`created API key ${material.keyId} "${args.name}" (${args.role}), by ${args.actor}`);
      print(`key: ${material.key}`);
      print('This key is shown once and is not stored (only its SHA-256 is): keep it now.');
      print(`Send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"; what it does is recorded as operator:${args.name}.`);
      return 0;
    }
    const done = await recordApiKeyCommand(deps)({ type: 'RevokeApiKey', data: { keyId: args.keyId, reason: args.reason, decidedBy: args.actor } });
    if (either.isLeft(done)) {
      process.stderr.write(`refused: ${done.left.kind === 'ApiKeyRefused' ? done.left.message : describeFailure(done.left)}\n`);
      return 1;
    }
    await syncApiKeyTable(platform.store, platform.pool);
    print(done.right.events.length === 0 ? `key ${args.keyId} was revoked already: nothing recorded` : `revoked API key ${args.keyId}`);
    return 0;
  } finally {
    await platform.close();
  }
});
