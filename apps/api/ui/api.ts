// The console's calls to the API: the key from sessionStorage as a Bearer token, and every failure as a message a
// person can act on (never a blank page): 401/403/429 named, a 404 route as "not available", a network error as
// "the API is unreachable".
export type ApiFailure =
  | { readonly kind: 'unreachable'; readonly message: string }
  | {
      readonly kind: 'unauthorized' | 'forbidden' | 'rateLimited' | 'notFound' | 'notAvailable' | 'invalid' | 'server';
      readonly status: number;
      readonly message: string;
      readonly body?: unknown;
    };

export type ApiResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ApiFailure };

const KEY = 'mastertrade.apiKey';
export const session = {
  key: (): string | undefined => sessionStorage.getItem(KEY) ?? undefined,
  signIn: (key: string) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

export const authHeaders = (): Record<string, string> => {
  const key = session.key();
  return key ? { Authorization: `Bearer ${key}` } : {};
};

const failureOf = (status: number, body: unknown): ApiFailure => {
  const b = (body ?? {}) as { error?: string; message?: string };
  const said = typeof b.message === 'string' ? b.message : `HTTP ${status}`;
  if (status === 401) return { kind: 'unauthorized', status, message: `Your API key was refused (unknown, revoked or missing): ${said}` };
  if (status === 403) return { kind: 'forbidden', status, message: `Your key's role may not do this: ${said}` };
  if (status === 429) return { kind: 'rateLimited', status, message: `Too many requests: wait a moment and try again (${said})` };
  if (status === 404 && (b.error === 'NotFound' || b.error === undefined))
    return { kind: 'notAvailable', status, message: `Not available on this server: ${said}` };
  if (status === 404) return { kind: 'notFound', status, message: said, body };
  if (status >= 400 && status < 500) return { kind: 'invalid', status, message: said, body };
  return { kind: 'server', status, message: `The server failed (${status}): ${said}` };
};

export const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> => {
  let res: globalThis.Response;
  try {
    res = await fetch(path, {
      method,
      headers: { ...authHeaders(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    return { ok: false, failure: { kind: 'unreachable', message: 'The API is unreachable: it may be down or restarting. The view retries on its own.' } };
  }
  const text = await res.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.status === 502 || res.status === 503 || res.status === 504)
    if (parsed === undefined)
      return { ok: false, failure: { kind: 'unreachable', message: `The API is unreachable (HTTP ${res.status}): it may be down or restarting.` } };
  if (!res.ok) return { ok: false, failure: failureOf(res.status, parsed) };
  return { ok: true, value: parsed as T };
};

export const get = <T>(path: string) => call<T>('GET', path);
