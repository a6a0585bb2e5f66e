// ccxt's exceptions as the Exchange port's failures, in one place.
//
// The exchange's own error code decides first when the reply carries one (Binance: {"code": -2010, "msg": "…"}, which
// ccxt keeps in the exception's message): ccxt picks its exception class for Binance spot partly by the URL's host
// (binance.getExceptionsByUrl), so the same reply can become a different class on testnet, live or a loopback
// server — the code cannot. ccxt's class is the fallback, and the only source for exchanges other than Binance.
import ccxt from 'ccxt';
import type { ExchangeFailure, ExchangeFailureCode } from '../../../application/ports/exchange.js';

/** An internal outcome the adapter handles itself (it is never returned): the client order id is already in use. */
export const DUPLICATE = 'DUPLICATE' as const;
export type Classified = ExchangeFailure | { readonly code: typeof DUPLICATE; readonly message: string; readonly retryable: false };

const RETRYABLE: ReadonlySet<ExchangeFailureCode> = new Set(['RATE_LIMITED', 'TIMEOUT', 'NETWORK']);
const failure = (code: ExchangeFailureCode, message: string): ExchangeFailure => ({ code, message, retryable: RETRYABLE.has(code) });

const NOTIONAL = /MIN_NOTIONAL|Filter failure: NOTIONAL|NOTIONAL/;

/** Binance's `{"code":…,"msg":…}` inside a ccxt message (`binance {"code":-2010,"msg":"…"}`), if there is one. */
export const binanceError = (message: string): { code: number; msg: string } | undefined => {
  const m = /\{"code":\s*(-?\d+),\s*"msg":\s*"((?:[^"\\]|\\.)*)"/.exec(message);
  return m === null ? undefined : { code: Number(m[1]), msg: m[2]! };
};

/** Binance spot error codes (binance-spot-api-docs errors.md) → our codes. */
const byBinanceCode = (code: number, msg: string, message: string): Classified | undefined => {
  switch (code) {
    case -2010:
      if (msg === 'Duplicate order sent.') return { code: DUPLICATE, message, retryable: false };
      if (/insufficient balance/i.test(msg)) return failure('INSUFFICIENT_FUNDS', message);
      return NOTIONAL.test(msg) ? failure('BELOW_MIN_NOTIONAL', message) : failure('REJECTED', message);
    case -1013:
      return NOTIONAL.test(msg) ? failure('BELOW_MIN_NOTIONAL', message) : failure('INVALID_ORDER', message);
    case -1003:
    case -1015: // too many new orders
      return failure('RATE_LIMITED', message);
    case -1007: // "Timeout waiting for response from backend server. Send status unknown"
      return failure('TIMEOUT', message);
    case -2011:
    case -2013:
      return failure('UNKNOWN_ORDER', message);
    case -1121:
      return failure('UNKNOWN_SYMBOL', message);
    case -1002:
    case -1022:
    case -2014:
    case -2015:
      return failure('AUTHENTICATION', message);
    case -1021: // the request's timestamp fell outside recvWindow (clock drift, a slow network): try again
      return failure('NETWORK', message);
    default:
      return code <= -1100 && code >= -1199 ? failure('INVALID_ORDER', message) : undefined;
  }
};

/** Maps what a ccxt call threw; anything that is not a ccxt error is a bug and is rethrown. */
export const classify = (err: unknown): Classified => {
  if (!(err instanceof ccxt.BaseError)) throw err;
  const message = err.message;
  // A 429/418 is answered before the body is read for its code: ccxt throws DDoSProtection with the HTTP status.
  if (err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection) return failure('RATE_LIMITED', message);
  const coded = binanceError(message);
  const byCode = coded === undefined ? undefined : byBinanceCode(coded.code, coded.msg, message);
  if (byCode !== undefined) return byCode;
  if (err instanceof ccxt.RequestTimeout) return failure('TIMEOUT', message);
  if (err instanceof ccxt.NetworkError) return failure('NETWORK', message);
  // An unreadable reply: whether the exchange acted is unknown, exactly as after a timeout.
  if (err instanceof ccxt.BadResponse) return failure('NETWORK', message);
  if (err instanceof ccxt.InsufficientFunds) return failure('INSUFFICIENT_FUNDS', message);
  if (err instanceof ccxt.DuplicateOrderId) return { code: DUPLICATE, message, retryable: false };
  if (err instanceof ccxt.OrderNotFound) return failure('UNKNOWN_ORDER', message);
  if (err instanceof ccxt.BadSymbol) return failure('UNKNOWN_SYMBOL', message);
  if (err instanceof ccxt.InvalidOrder || err instanceof ccxt.BadRequest || err instanceof ccxt.ArgumentsRequired)
    return NOTIONAL.test(message) ? failure('BELOW_MIN_NOTIONAL', message) : failure('INVALID_ORDER', message);
  if (err instanceof ccxt.AuthenticationError) return failure('AUTHENTICATION', message);
  if (err instanceof ccxt.NotSupported) return failure('UNSUPPORTED', message);
  return failure('REJECTED', message);
};

/** A Classified as the port's failure (a duplicate that could not be resolved is a rejection). */
export const asFailure = (c: Classified): ExchangeFailure => (c.code === DUPLICATE ? failure('REJECTED', c.message) : c);
