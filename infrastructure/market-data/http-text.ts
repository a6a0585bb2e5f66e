// One GET with a deadline for the whole answer (headers and body), failures as typed values naming the source.
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import { either } from 'fp-ts';
import type { SourceError } from '../../application/ports/sentiment-source.js';

export const DEFAULT_TIMEOUT_MS = 15_000;
const BODY_EXCERPT = 200;

export interface HttpText {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export const httpGetText =
  (source: string, url: string, timeoutMs = DEFAULT_TIMEOUT_MS): TaskEither<SourceError, HttpText> =>
  async () => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(url, { signal, headers: { accept: 'application/json, text/csv;q=0.9, */*;q=0.5' } });
      const body = await res.text();
      if (!res.ok) {
        const excerpt = body.length > BODY_EXCERPT ? `${body.slice(0, BODY_EXCERPT)}…` : body;
        return either.left({ kind: 'http-status', source, url, status: res.status, body: excerpt.trim() });
      }
      return either.right({ status: res.status, contentType: res.headers.get('content-type') ?? '', body });
    } catch (err) {
      // The deadline aborts with a TimeoutError whether it struck before the headers or while reading the body.
      if (signal.aborted) return either.left({ kind: 'timeout', source, url, afterMs: timeoutMs });
      const e = err as Error & { cause?: { message?: string; code?: string } };
      const message = e.cause?.code ?? e.cause?.message ?? e.message;
      return either.left({ kind: 'network', source, url, message });
    }
  };

/** The body as JSON, or a bad-response error naming the source. */
export const parseJsonBody = (source: string, url: string, body: string): either.Either<SourceError, unknown> => {
  try {
    return either.right(JSON.parse(body) as unknown);
  } catch (err) {
    const start = body.trim().slice(0, 60);
    return either.left({ kind: 'bad-response', source, url, message: `not JSON (${(err as Error).message}); it starts with ${JSON.stringify(start)}` });
  }
};
