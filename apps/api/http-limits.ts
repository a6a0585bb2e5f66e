// The HTTP transport limits, in one place, before any route sees a request: the query string's size and parameter
// count (400), the body's content type (415 unless application/json in UTF-8, on the methods that take a body), its
// size (413, refused from Content-Length before it is read, or as soon as the stream passes the limit), its JSON
// nesting (400, a linear scan of the raw bytes before JSON.parse, so no recursion anywhere can overflow the stack)
// and, once parsed, strings that PostgreSQL cannot store (400 naming the field: \u0000, unpaired surrogates), before
// any route, or the idempotency store, holds on to them.
// The limits come from the configuration (API_MAX_*, infrastructure/config/config.ts; doc/api.md lists them).
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import querystring from 'node:querystring';
import { storableJsonProblems } from '../../domain/primitives/storable-json.js';
import type { HttpLimits } from '../../infrastructure/config/config.js';
import { invalidRequest, type HttpAnswer } from './problems.js';
import { send } from './query.js';

/** The methods whose body a route reads; other methods' bodies are never parsed. */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = 'application/json';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = [0x5b, 0x7b]; // [ {
const CLOSE = [0x5d, 0x7d]; // ] }

export type JsonTextProblem = 'too-deep';

/**
 * What makes a JSON text unacceptable before it is parsed, in one pass over its bytes: arrays/objects nested deeper
 * than `maxDepth` (brackets inside strings ignored). UTF-8 bytes of non-ASCII characters are all ≥ 0x80, so they
 * never look like a bracket, a quote or a backslash; raw control characters and invalid UTF-8 are left to JSON.parse
 * and the UTF-8 decoder.
 */
export const jsonTextProblem = (bytes: Uint8Array, maxDepth: number): JsonTextProblem | undefined => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === QUOTE) inString = false;
      else if (b === BACKSLASH) i++; // the escaped character is text (\" does not end the string)
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN[0] || b === OPEN[1]) {
      if (++depth > maxDepth) return 'too-deep';
    } else if (b === CLOSE[0] || b === CLOSE[1]) depth--;
  }
  return undefined;
};

class UnacceptableJson extends Error {
  constructor(readonly type: string) {
    super(type);
  }
}

const hasBody = (req: Request): boolean => {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
};

const charsetOf = (contentType: string): string | undefined => /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]?.toLowerCase();

const unsupportedMediaType = (got: string | undefined): HttpAnswer => ({
  status: 415,
  body: {
    error: 'UnsupportedMediaType',
    message: `send the body as ${JSON_TYPE} (UTF-8)${got === undefined ? '; the request has no Content-Type' : `, not "${got.slice(0, 100)}"`}`,
    expected: JSON_TYPE,
    errors: [{ path: 'Content-Type', message: `must be ${JSON_TYPE}` }],
  },
});

/** The query string's size and count of parameters; the parser itself keeps no more parameters than allowed. */
const queryLimits =
  (limits: HttpLimits): RequestHandler =>
  (req, res, next) => {
    const at = req.originalUrl.indexOf('?');
    if (at < 0) return next();
    const query = req.originalUrl.slice(at + 1);
    if (Buffer.byteLength(query) > limits.maxQueryBytes)
      return send(res, invalidRequest([{ path: '(query)', message: `longer than ${limits.maxQueryBytes} bytes (API_MAX_QUERY_BYTES)` }], 'query'));
    const params = query.split('&').filter((p) => p.length > 0).length;
    if (params > limits.maxQueryParams)
      return send(
        res,
        invalidRequest([{ path: '(query)', message: `${params} parameters, at most ${limits.maxQueryParams} (API_MAX_QUERY_PARAMS)` }], 'query'),
      );
    next();
  };

/** 415 for a body that is not JSON in UTF-8, on the methods whose body a route reads. */
const jsonOnly: RequestHandler = (req, res, next) => {
  if (!BODY_METHODS.has(req.method) || !hasBody(req)) return next();
  const type = req.headers['content-type'];
  const charset = type === undefined ? undefined : charsetOf(type);
  if (type === undefined || !req.is(JSON_TYPE) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8'))
    return send(res, unsupportedMediaType(type));
  next();
};

/** Installs the limits on the app: its query parser, then the checks and the JSON body parser, in that order. */
export const installHttpLimits = (app: express.Express, limits: HttpLimits): void => {
  app.set('query parser', (s: string) => querystring.parse(s, '&', '=', { maxKeys: limits.maxQueryParams }));
  const parse = express.json({
    limit: limits.maxBodyBytes,
    strict: false,
    type: JSON_TYPE,
    // Runs on the raw bytes, before JSON.parse: a body of 200,000 brackets is refused in one linear pass.
    verify: (_req, _res, buf) => {
      if (jsonTextProblem(buf, limits.maxJsonDepth) === 'too-deep') throw new UnacceptableJson('entity.too.deep');
    },
  });
  /** A parsed body (no deeper than the scan allowed) with a string PostgreSQL cannot store: 400 naming each field. */
  const storableOnly: RequestHandler = (req, res, next) => {
    const problems = req.body === undefined ? [] : storableJsonProblems(req.body, limits.maxJsonDepth + 1);
    if (problems.length > 0) return send(res, invalidRequest(problems));
    next();
  };
  app.use(
    queryLimits(limits),
    jsonOnly,
    (req: Request, res: Response, next: NextFunction) => (BODY_METHODS.has(req.method) ? parse(req, res, next) : next()),
    storableOnly,
  );
};

/** The answer to a body-parser error, or undefined when the error is not about the request's transport. */
export const transportProblem = (err: unknown, limits: HttpLimits): HttpAnswer | undefined => {
  const e = err as { type?: unknown; message?: unknown };
  switch (e.type) {
    case 'entity.too.large':
      return {
        status: 413,
        body: {
          error: 'PayloadTooLarge',
          message: `the body is larger than ${limits.maxBodyBytes} bytes (API_MAX_BODY_BYTES)`,
          limit: { name: 'API_MAX_BODY_BYTES', bytes: limits.maxBodyBytes },
        },
      };
    case 'entity.too.deep':
      return invalidRequest([{ path: '(root)', message: `nested deeper than ${limits.maxJsonDepth} (API_MAX_JSON_DEPTH)` }]);
    case 'entity.parse.failed':
      return {
        status: 400,
        body: { error: 'MalformedJson', message: `the body is not valid JSON: ${String(e.message)}`, errors: [{ path: '(root)', message: 'malformed JSON' }] },
      };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { status: 415, body: { error: 'UnsupportedMediaType', message: String(e.message), expected: JSON_TYPE } };
    case 'request.aborted':
    case 'request.size.invalid':
      return { status: 400, body: { error: 'BadRequest', message: String(e.message) } };
    default:
      return undefined;
  }
};
