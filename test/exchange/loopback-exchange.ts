// The ccxt adapter pointed at a loopback Binance (test/support/loopback-binance.ts): testnet mode, so the sandbox
// switch runs as in production, then `urls.api.public/private/v1` and the user data stream's `urls.api.ws['ws-api']`
// replaced by the server's. Short timeout, no
// client-side throttle, a short wait before re-asking after an ambiguous placement.
import { isLeft } from 'fp-ts/lib/Either.js';
import { openCcxtExchange, type CcxtExchange, type CcxtExchangeSettings } from '../../infrastructure/exchange/ccxt/ccxt-exchange.js';
import type { LoopbackBinance } from '../support/loopback-binance.js';

export const LOOPBACK_TIMEOUT_MS = 800;

export const loopbackExchange = (server: LoopbackBinance, over: Partial<CcxtExchangeSettings> = {}): CcxtExchange => {
  const opened = openCcxtExchange({
    mode: 'testnet',
    exchangeId: 'binance',
    credentials: { apiKey: server.apiKey, secret: server.secret },
    apiUrls: server.apiUrls,
    wsUrls: server.wsUrls,
    timeoutMs: LOOPBACK_TIMEOUT_MS,
    enableRateLimit: false,
    recheckDelayMs: 20,
    ...over,
  });
  if (isLeft(opened)) throw new Error(opened.left);
  return opened.right;
};
