// The runner's two signal sources give the same signals on real data: the replayed columns (computed once over the
// series) and the live source (each candle appended, the genome evaluated at it), for random genomes.
import { expect } from 'chai';
import { liveSignals, replayedSignals } from '../../application/trading/runner-signals.js';
import { bindStrategy, compileGenome } from '../../domain/backtest/compile.js';
import { randomGenomes } from '../../domain/backtest/random-genome.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { btcusdt1h, truncate } from '../indicators/real-candles.js';

describe('strategy runner signals: live (appended candle by candle) = replayed (columns at once)', () => {
  it('on BTCUSDT 1h for random genomes, with a warm-up history before the session', function () {
    this.timeout(120_000);
    const all = btcusdt1h();
    const warm = 300;
    const to = 900;
    const s = truncate(all, to);
    let fired = 0;
    for (const g of randomGenomes(11, 12, ['BTCUSDT'])) {
      const compiled = compileGenome(g);
      const replayed = replayedSignals(bindStrategy(compiled, s, new IndicatorCache()), warm, to);
      const live = liveSignals(compiled, s.key, truncate(all, warm));
      for (let i = warm; i < to; i++) {
        const c = { openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! };
        const a = replayed.next(c);
        const b = live.next(c);
        if (a !== b) expect.fail(`genome ${g.indicators.map((x) => x.name).join('+')}: bar ${i}: replayed ${a}, live ${b}`);
        fired += a === 0 ? 0 : 1;
      }
    }
    expect(fired).to.be.greaterThan(500); // the genomes do signal
  });
});
