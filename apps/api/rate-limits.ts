// Rate limits (express-rate-limit): per client IP on every request, before authentication (so guessing keys costs
// the guesser), and per API key once authenticated (so one script cannot starve the dashboard). 429 with a JSON body
// and Retry-After. The counters live in memory: right for one API process; several processes behind a balancer
// would each count on their own (a shared store, e.g. Redis, is the fix then: doc/security.md).
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { principalOf } from './principal.js';

export interface RateLimits {
  /** Requests per window from one IP address (IPv6: one /56). */
  readonly perIp: number;
  /** Requests per window with one API key. */
  readonly perKey: number;
  readonly windowMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perIp: 1200, perKey: 600, windowMs: 60_000 };

const tooMany = (who: string, limit: number, windowMs: number) => (_req: Request, res: Response) => {
  const retryAfter = Number(res.getHeader('Retry-After') ?? Math.ceil(windowMs / 1000));
  res.status(429).json({
    error: 'TooManyRequests',
    message: `more than ${limit} requests in ${Math.ceil(windowMs / 1000)} s from this ${who}; retry after ${retryAfter} s`,
    limit: { per: who, requests: limit, windowSeconds: Math.ceil(windowMs / 1000) },
    retryAfterSeconds: retryAfter,
  });
};

export const perIpRateLimit = (limits: RateLimits): RequestHandler =>
  rateLimit({
    windowMs: limits.windowMs,
    limit: limits.perIp,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: tooMany('IP address', limits.perIp, limits.windowMs),
  });

/** Counts per key; requests without one (public routes) are the per-IP limit's. */
export const perKeyRateLimit = (limits: RateLimits): RequestHandler =>
  rateLimit({
    windowMs: limits.windowMs,
    limit: limits.perKey,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (_req, res) => principalOf(res) === undefined,
    keyGenerator: (_req, res) => `key:${principalOf(res)!.keyId}`,
    handler: tooMany('API key', limits.perKey, limits.windowMs),
  });
