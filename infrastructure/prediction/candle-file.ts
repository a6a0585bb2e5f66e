// Candles for training straight from a CSV file (`--file`), in the format `npm run import` reads, without storing
// them: the same parser and validation as the import, so a file the import would refuse is refused here too.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseCandleCsv } from '../../domain/market/candle-csv.js';
import { emptySeries, type CandleSeries } from '../../domain/market/candles.js';

export const readCandleFile = async (file: string, symbolOverride?: string): Promise<CandleSeries | string> => {
  const bytes = await readFile(file);
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const parsed = parseCandleCsv(text.split(/\r?\n/), '1h');
  if (parsed.fileError !== undefined) return `${file}: ${parsed.fileError}`;
  if (parsed.rejected.length > 0) return `${file}:${parsed.rejected[0]!.line}: ${parsed.rejected[0]!.reason} (${parsed.rejected.length} line(s) rejected)`;
  // binance_BTCUSDC_1h.csv.gz → binance, BTCUSDC
  const m = /^([a-z0-9]+)_([A-Z0-9]+)_1h\.csv(\.gz)?$/.exec(path.basename(file));
  const symbol = symbolOverride ?? m?.[2];
  if (symbol === undefined) return `${file}: the file name does not say the symbol (<exchange>_<SYMBOL>_1h.csv[.gz]); give --symbol`;
  const sorted = [...parsed.candles].sort((a, b) => a.openTime - b.openTime);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.openTime === sorted[i - 1]!.openTime) return `${file}: two candles open at ${new Date(sorted[i]!.openTime).toISOString()}`;
  const s = emptySeries({ exchange: m?.[1] ?? 'binance', symbol, interval: '1h' }, sorted.length);
  sorted.forEach((c, i) => {
    s.openTime[i] = c.openTime;
    s.open[i] = c.open;
    s.high[i] = c.high;
    s.low[i] = c.low;
    s.close[i] = c.close;
    s.volume[i] = c.volume;
  });
  return s;
};
