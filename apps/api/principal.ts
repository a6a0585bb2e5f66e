// Who is asking: the API key a request authenticated with (apps/api/authentication.ts), kept on `res.locals`.
// Whatever the key does is recorded as `operator:<key name>`: a body may repeat that actor but never claim another.
import type { NextFunction, Request, Response } from 'express';
import type { ApiKeyName } from '../../domain/access/events.js';
import type { Role } from '../../domain/access/roles.js';
import type { Actor } from '../../domain/primitives/codecs.js';

export interface Principal {
  readonly keyId: string;
  readonly name: ApiKeyName;
  readonly role: Role;
  readonly actor: Actor;
}

export const actorForKey = (name: string): Actor => `operator:${name}` as Actor;

export const setPrincipal = (res: Response, p: Principal): void => {
  res.locals['principal'] = p;
};

/** The principal of an authenticated request; undefined on a public route. */
export const principalOf = (res: Response): Principal | undefined => res.locals['principal'] as Principal | undefined;

/**
 * After the body is parsed: a body that names an actor must name the key's own (403 otherwise), so an operator key
 * cannot record its command as someone else's, and a name in a body never raises anyone's rights.
 */
export const claimedActorCheck = (req: Request, res: Response, next: NextFunction): void => {
  const p = principalOf(res);
  const body: unknown = req.body;
  if (p === undefined || typeof body !== 'object' || body === null || Array.isArray(body) || !('actor' in body)) return next();
  const claimed = body.actor;
  if (claimed === p.actor) return next();
  res.status(403).json({
    error: 'ActorMismatch',
    message: `this key acts as ${p.actor}; the body claims ${typeof claimed === 'string' ? claimed.slice(0, 120) : JSON.stringify(claimed)?.slice(0, 120)}`,
    errors: [{ path: 'actor', message: `must be ${p.actor} (the key's actor) or left out` }],
    actor: p.actor,
  });
};

/** The body with the key's actor in it (a body that is not an object is left for its codec to refuse). */
export const withKeyActor = (body: unknown, p: Principal): unknown =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, actor: p.actor } : body;
