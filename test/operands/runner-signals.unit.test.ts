// A runner evaluating each new bar on its growing history, with the external data known at that bar (what a desk
// loads as bars advance), gives the signals a backtest computes over the whole stretch at once.
import { expect } from 'chai';
import { bindStrategy, compileGenome } from '../../domain/backtest/compile.js';
import { truncateOperandData, type OperandData } from '../../domain/backtest/operand-data.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { liveSignals, replayedSignals } from '../../application/trading/runner-signals.js';
import { truncate } from '../indicators/real-candles.js';
import { H, btc, ethusdt1h, handMadePredictions, operandGenome, realDaily } from './support.js';

describe('operands: live runner signals', function () {
  this.timeout(120_000);
  it('equal the replayed ones, bar by bar, with operand data cut at each bar', async () => {
    const eth = ethusdt1h();
    const end = eth.openTime.findIndex((o) => o >= Date.UTC(2022, 6, 1));
    const start = end - 400;
    const data: OperandData = {
      daily: { fear_greed: await realDaily('fear_greed'), vix: await realDaily('vix') },
      candles: { BTCUSDT: btc() },
      predictions: { 'btc-1h': handMadePredictions(btc()) },
    };
    const compiled = compileGenome({
      ...operandGenome({ daily: 'fear_greed', measure: 'change', days: 2 }, -3, 3),
      indicators: [{ id: 'r', name: 'rsi', params: { period: 14 } }],
      entry: {
        mode: 'any',
        conditions: [
          { left: { daily: 'fear_greed', measure: 'change', days: 2 }, op: 'lt', right: { value: -3 } },
          { left: { crossIndicator: 'r', symbol: 'BTCUSDT' }, op: 'crosses_above', right: { value: 50 } },
          { left: { prediction: 'expected_return' }, op: 'gt', right: { daily: 'vix', measure: 'return', days: 1 } },
        ],
      },
    });
    const history = truncate(eth, start);
    const replayed = replayedSignals(bindStrategy(compiled, truncate(eth, end), new IndicatorCache(), data), start, end);
    const live = liveSignals(compiled, eth.key, history, (view) => truncateOperandData(data, view.openTime[view.length - 1]!, H));
    let fired = 0;
    for (let t = start; t < end; t++) {
      const candle = { openTime: eth.openTime[t]!, open: eth.open[t]!, high: eth.high[t]!, low: eth.low[t]!, close: eth.close[t]!, volume: eth.volume[t]! };
      const a = replayed.next(candle);
      const b = live.next(candle);
      expect(b, `bar ${t}`).to.equal(a);
      fired += a;
    }
    expect(fired).to.be.greaterThan(0);
  });
});
