// Runs in a worker thread for compute.unit.test.ts: computes with both engines and reports what happened.
import { parentPort } from 'node:worker_threads';
import { computeIndicatorSync } from '../../domain/indicators/compute.js';
import { emptySeries } from '../../domain/market/candles.js';

const s = emptySeries({ exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' }, 5);
s.close.set([1, 2, 3, 4, 5]);
const attempt = (fast: boolean) => {
  try {
    return { ok: Array.from(computeIndicatorSync(s, 'sma', { period: 2 }, { fast }).outputs['value']!) };
  } catch (e) {
    return { error: (e as Error).message };
  }
};
parentPort!.postMessage({ fast: attempt(true), tulind: attempt(false) });
