// Charts with TradingView's lightweight-charts (v5 API): candles with trade markers, and line series (equity).
import { useEffect, useRef } from 'preact/hooks';
import { CandlestickSeries, createChart, createSeriesMarkers, LineSeries, type SeriesMarker, type Time, type UTCTimestamp } from 'lightweight-charts';

const base = {
  layout: { background: { color: '#11161d' }, textColor: '#c9d1d9' },
  grid: { vertLines: { color: '#1f2733' }, horzLines: { color: '#1f2733' } },
  timeScale: { timeVisible: true },
};
const sec = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

export interface Candle {
  readonly t: number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
}
export interface TradeMark {
  readonly entryTime: number;
  readonly exitTime: number;
  readonly side: string;
  readonly pnl: number;
}

export const CandleChart = ({ candles, trades, name }: { candles: readonly Candle[]; trades: readonly TradeMark[]; name: string }) => {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const chart = createChart(box.current, { ...base, height: 320, autoSize: true });
    const series = chart.addSeries(CandlestickSeries, {
      upColor: '#2ea043',
      downColor: '#da3633',
      wickUpColor: '#2ea043',
      wickDownColor: '#da3633',
      borderVisible: false,
    });
    series.setData(candles.map((c) => ({ time: sec(c.t), open: c.o, high: c.h, low: c.l, close: c.c })));
    const markers: SeriesMarker<Time>[] = [];
    // Labels only while they stay readable; beyond, the arrows and the colour of the exits say it.
    const labelled = trades.length <= 30;
    for (const t of trades) {
      markers.push({
        time: sec(t.entryTime),
        position: t.side === 'long' ? 'belowBar' : 'aboveBar',
        color: '#58a6ff',
        shape: t.side === 'long' ? 'arrowUp' : 'arrowDown',
        ...(labelled ? { text: t.side } : {}),
      });
      markers.push({
        time: sec(t.exitTime),
        position: 'aboveBar',
        color: t.pnl >= 0 ? '#2ea043' : '#da3633',
        shape: 'circle',
        ...(labelled ? { text: t.pnl.toFixed(0) } : {}),
      });
    }
    markers.sort((a, b) => (a.time as number) - (b.time as number));
    createSeriesMarkers(series, markers);
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [candles, trades]);
  return <div class="chart" data-chart={name} ref={box} />;
};

export interface Line {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

export const LineChart = ({ lines, name, height = 240 }: { lines: readonly Line[]; name: string; height?: number }) => {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const chart = createChart(box.current, { ...base, height, autoSize: true });
    for (const l of lines) {
      const s = chart.addSeries(LineSeries, { color: l.color, lineWidth: 2, title: l.name });
      const seen = new Set<number>();
      s.setData(
        [...l.points]
          .sort((a, b) => a[0] - b[0])
          .filter(([t]) => (seen.has(sec(t)) ? false : (seen.add(sec(t)), true)))
          .map(([t, v]) => ({ time: sec(t), value: v })),
      );
    }
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [lines]);
  return <div class="chart" data-chart={name} ref={box} />;
};
