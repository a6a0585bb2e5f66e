// Authentication and authorisation of every request, before its body is read: the route's access (route-roles.ts),
// the key from `Authorization: Bearer <key>` or `X-API-Key: <key>`, looked up by its id and compared by SHA-256 in
// constant time, then the role. 401 for a missing, malformed, unknown or revoked key; 403 for a role too low. The
// key is read from the api_keys table on each request (one indexed row), so a revocation holds from the next request.
// No answer ever repeats the key. There is no switch to turn this off.
import type { RequestHandler, Response } from 'express';
import type { CommonQueryMethods } from 'slonik';
import type { Clock } from '../../application/ports/clock.js';
import type { ApiKeyName } from '../../domain/access/events.js';
import { findApiKey, recordLastUsed } from '../../infrastructure/auth/api-key-table.js';
import { keyIdOf, keyMatches } from '../../infrastructure/auth/key-material.js';
import type { Logger } from '../../infrastructure/logging/logger.js';
import type { HttpAnswer } from './problems.js';
import { actorForKey, setPrincipal } from './principal.js';
import { accessAllows, requiredAccess } from './route-roles.js';

export interface AuthenticationDeps {
  readonly db: CommonQueryMethods;
  readonly clock: Clock;
  readonly log: Logger;
}

/** last_used_at is written at most once a minute per key, in one batched statement: never a write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;
const FLUSH_DELAY_MS = 1_000;

const CHALLENGE = 'Bearer realm="mastertrade"';

const unauthenticated = (error: string, message: string): HttpAnswer => ({
  status: 401,
  body: { error, message, how: 'send "Authorization: Bearer <key>" or "X-API-Key: <key>"; an admin creates keys with `npm run keys -- create`' },
});

/** The key a request presents, or the problem with its headers. */
const presentedKey = (authorization: string | undefined, apiKey: string | undefined): { key: string } | { problem: HttpAnswer } | undefined => {
  let bearer: string | undefined;
  if (authorization !== undefined) {
    const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization);
    if (!m) return { problem: unauthenticated('MalformedCredentials', 'the Authorization header must be "Bearer <key>"') };
    bearer = m[1];
  }
  if (bearer !== undefined && apiKey !== undefined && bearer !== apiKey.trim())
    return { problem: unauthenticated('MalformedCredentials', 'the Authorization and X-API-Key headers name different keys: send one') };
  const key = bearer ?? apiKey?.trim();
  if (key === undefined) return undefined;
  if (key.length === 0) return { problem: unauthenticated('MalformedCredentials', 'the X-API-Key header is empty') };
  return { key };
};

export interface Authentication {
  readonly middleware: RequestHandler;
  /** Writes the pending last-used times now (at shutdown). */
  readonly flush: () => Promise<void>;
}

export const authentication = (deps: AuthenticationDeps): Authentication => {
  const written = new Map<string, number>();
  const pending = new Map<string, Date>();
  let timer: NodeJS.Timeout | undefined;

  const flush = async () => {
    timer = undefined;
    if (pending.size === 0) return;
    const batch = new Map(pending);
    pending.clear();
    await recordLastUsed(deps.db, batch).catch((err: unknown) => deps.log.warn({ err }, 'could not record when API keys were last used'));
  };
  const touch = (keyId: string) => {
    const now = deps.clock.now();
    const last = written.get(keyId);
    if (last !== undefined && now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    written.set(keyId, now.getTime());
    pending.set(keyId, now);
    timer ??= setTimeout(() => void flush(), FLUSH_DELAY_MS).unref();
  };

  const send = (res: Response, a: HttpAnswer) => {
    if (a.status === 401) res.set('WWW-Authenticate', CHALLENGE);
    return res.status(a.status).json(a.body);
  };

  const middleware: RequestHandler = async (req, res, next) => {
    const need = requiredAccess(req.method, req.path);
    if (need === 'public') return next();
    const presented = presentedKey(req.get('authorization'), req.get('x-api-key'));
    if (presented === undefined)
      return send(res, unauthenticated('Unauthenticated', `${req.method} ${req.path.slice(0, 200)} needs an API key (${need} or above)`));
    if ('problem' in presented) return send(res, presented.problem);
    const keyId = keyIdOf(presented.key);
    if (keyId === undefined) return send(res, unauthenticated('InvalidApiKey', 'this is not an API key (they look like mt_<16 hex>_<43 characters>)'));
    const stored = await findApiKey(deps.db, keyId);
    if (stored === undefined || !keyMatches(presented.key, stored.secretHash)) return send(res, unauthenticated('InvalidApiKey', 'unknown API key'));
    if (stored.revoked) return send(res, unauthenticated('RevokedApiKey', `API key ${stored.id} (${stored.name}) was revoked`));
    if (!accessAllows(stored.role, need))
      return send(res, {
        status: 403,
        body: {
          error: 'Forbidden',
          message: `${req.method} ${req.path.slice(0, 200)} needs the ${need} role; key ${stored.id} (${stored.name}) is ${stored.role}`,
          required: need,
          role: stored.role,
        },
      });
    setPrincipal(res, { keyId: stored.id, name: stored.name as ApiKeyName, role: stored.role, actor: actorForKey(stored.name) });
    touch(stored.id);
    next();
  };

  return {
    middleware,
    flush: async () => {
      if (timer) clearTimeout(timer);
      await flush();
    },
  };
};
