// The HTTP sources against a local server: alternative.me and FRED answers built from the real rows, a social
// sentiment answer constructed here (no real social data exists on this machine), and the typed failures:
// HTTP 500, a server that never answers, one that stalls mid-body, a closed port, an answer in the wrong format.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { describeSourceError, type SourceError } from '../../application/ports/sentiment-source.js';
import type { Day, SocialSourceName, SocialSymbol } from '../../domain/market/daily-series.js';
import { parseFearGreedCsv } from '../../infrastructure/market-data/fear-greed-format.js';
import { alternativeMeFearGreedSource, ALTERNATIVE_ME_FNG_URL } from '../../infrastructure/market-data/fear-greed-source.js';
import { fredDailyCloseSource, fredGraphCsvUrl } from '../../infrastructure/market-data/fred-source.js';
import { parseMacroCsv } from '../../infrastructure/market-data/macro-close-format.js';
import { httpSocialSentimentSource } from '../../infrastructure/market-data/social-sentiment-source.js';
import { FNG_FILE, SP500_FILE, fngApiAnswer, fredCsv, fredJson, json, readSharedText, sharedRows, startServer, text, type LocalServer } from './support.js';

const right = <A>(e: Either<SourceError, A>): A => {
  if (either.isLeft(e)) throw new Error(`expected Right, got ${describeSourceError(e.left)}`);
  return e.right;
};
const left = <A>(e: Either<SourceError, A>): SourceError => {
  if (either.isRight(e)) throw new Error('expected a failure');
  return e.left;
};

describe('HTTP sentiment and macro sources (local server)', function () {
  this.timeout(20_000);
  let server: LocalServer;
  const fngRows = sharedRows(FNG_FILE);
  const spRows = sharedRows(SP500_FILE).filter((r) => r[0]! >= '2024-01-01');
  const spHolidays = [
    '2024-01-01',
    '2024-01-15',
    '2024-02-19',
    '2024-03-29',
    '2024-05-27',
    '2024-06-19',
    '2024-07-04',
    '2024-09-02',
    '2024-11-28',
    '2024-12-25',
    '2025-01-01',
    '2025-01-09',
    '2025-01-20',
    '2025-02-17',
    '2025-04-18',
  ];

  before(async () => {
    server = await startServer({
      '/fng/': json(fngApiAnswer(fngRows)),
      '/fng-500': text('<html><body>Internal Server Error</body></html>', 500, 'text/html'),
      '/fng-error': json({ name: 'Fear and Greed Index', data: [], metadata: { error: 'Invalid limit' } }),
      '/fng-html': text('<!DOCTYPE html><html>maintenance</html>', 200, 'text/html'),
      '/never': () => undefined, // accepts the request and never answers
      '/stall-body': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"name":"Fear and Greed Index","data":[');
      },
      '/graph/fredgraph.csv': text(fredCsv('SP500', spRows, spHolidays)),
      '/fred/series/observations': json(fredJson(spRows, spHolidays)),
      '/fred-400': json({ error_code: 400, error_message: 'Bad Request.  The value for variable api_key is not registered.' }, 400),
      '/social': (req, res) => {
        const q = new URL(req.url!, 'http://x').searchParams;
        json({
          data: [
            { symbol: 'BTC', day: '2024-05-01', score: 0.25, mentions: 1200 },
            { symbol: 'ETH', time: '2024-05-01T13:00:00Z', score: -0.1, mentions: 300 },
            { symbol: 'ETH', time: '2024-05-01T20:00:00Z', score: 0.3, mentions: 100 },
            { symbol: 'BTC', day: '2024-05-02', score: 1.5, mentions: 10 }, // score out of range
            { symbol: 'btc', day: '2024-05-02', score: 0.1, mentions: 10 }, // lower case symbol
            { symbol: 'BTC', day: '2024-05-02', time: '2024-05-02T01:00:00Z', score: 0.1, mentions: 10 },
            { symbol: 'BTC', day: '2024-05-03', score: 0.1, mentions: -1 },
            { symbol: 'BTC', score: 0.1, mentions: 3 },
          ],
          echo: Object.fromEntries(q.entries()),
        })(req, res);
      },
    });
  });
  after(() => server.close());

  describe('alternative.me Fear & Greed', () => {
    it('defaults to the real endpoint with the whole history', () => {
      expect(ALTERNATIVE_ME_FNG_URL).to.equal('https://api.alternative.me/fng/?limit=0&format=json');
      expect(fredGraphCsvUrl('SP500')).to.equal('https://fred.stlouisfed.org/graph/fredgraph.csv?id=SP500');
    });

    it('fetches and parses the JSON answer built from the real rows', async () => {
      const source = alternativeMeFearGreedSource({ url: `${server.base}/fng/?limit=0&format=json` });
      const b = right(await source.fetch()());
      expect(server.requests).to.include('/fng/?limit=0&format=json');
      const csv = parseFearGreedCsv(readSharedText(FNG_FILE), 'alternative.me');
      expect(either.isRight(csv) && b.observations).to.deep.equal(either.isRight(csv) && csv.right.observations);
      expect(b.rejected).to.deep.equal([]);
    });

    it('turns an HTTP 500 into a typed error naming the source and status', async () => {
      const e = left(await alternativeMeFearGreedSource({ url: `${server.base}/fng-500` }).fetch()());
      expect(e).to.include({ kind: 'http-status', source: 'alternative.me', status: 500 });
      expect(describeSourceError(e)).to.match(/^alternative\.me: http:\/\/127\.0\.0\.1:\d+\/fng-500 answered HTTP 500: <html>/);
    });

    it('gives up on a server that never answers after the timeout, naming the source', async () => {
      const started = Date.now();
      const e = left(await alternativeMeFearGreedSource({ url: `${server.base}/never`, timeoutMs: 300 }).fetch()());
      expect(Date.now() - started).to.be.within(250, 5000);
      expect(e).to.include({ kind: 'timeout', source: 'alternative.me', afterMs: 300 });
      expect(describeSourceError(e)).to.match(/^alternative\.me: no complete answer from .*\/never within 300 ms$/);
    });

    it('gives up on an answer whose body stalls after the headers', async () => {
      const e = left(await alternativeMeFearGreedSource({ url: `${server.base}/stall-body`, timeoutMs: 300 }).fetch()());
      expect(e).to.include({ kind: 'timeout', source: 'alternative.me' });
    });

    it('reports an unreachable server as a network error', async () => {
      const closed = await startServer({});
      const url = `${closed.base}/fng/`;
      await closed.close();
      const e = left(await alternativeMeFearGreedSource({ url, timeoutMs: 2000 }).fetch()());
      expect(e).to.include({ kind: 'network', source: 'alternative.me' });
      expect(describeSourceError(e)).to.match(/cannot reach .*ECONNREFUSED/);
    });

    it('reports an error in metadata, and an answer that is not JSON, as bad responses', async () => {
      const withError = left(await alternativeMeFearGreedSource({ url: `${server.base}/fng-error` }).fetch()());
      expect(withError).to.include({ kind: 'bad-response', source: 'alternative.me', message: 'the API reports an error: Invalid limit' });
      const html = left(await alternativeMeFearGreedSource({ url: `${server.base}/fng-html` }).fetch()());
      expect(html.kind).to.equal('bad-response');
      expect(describeSourceError(html)).to.match(/not JSON .* starts with "<!DOCTYPE html>/);
    });
  });

  describe('FRED daily closes', () => {
    const expected = () => {
      const b = parseMacroCsv(readSharedText(SP500_FILE), { series: 'sp500', source: 'fred:SP500' });
      if (either.isLeft(b)) throw new Error(b.left);
      return b.right.observations.filter((o) => o.day >= '2024-01-01');
    };

    it("fetches fredgraph.csv (built from the real closes, '.' on holidays) from a configured URL", async () => {
      const source = fredDailyCloseSource({ series: 'sp500', url: `${server.base}/graph/fredgraph.csv?id=SP500` });
      expect(source.name).to.equal('fred:SP500');
      const b = right(await source.fetch()());
      expect(b.series).to.equal('sp500');
      expect(b.observations).to.deep.equal(expected());
      expect(b.missing).to.deep.equal(spHolidays);
    });

    it("reads the JSON API's observations too", async () => {
      const b = right(await fredDailyCloseSource({ series: 'sp500', url: `${server.base}/fred/series/observations?series_id=SP500&file_type=json` }).fetch()());
      expect(b.observations).to.deep.equal(expected());
      expect(b.missing).to.deep.equal(spHolidays);
    });

    it("refuses FRED's CSV of another series than the one asked for", async () => {
      const e = left(await fredDailyCloseSource({ series: 'vix', url: `${server.base}/graph/fredgraph.csv?id=SP500` }).fetch()());
      expect(e).to.include({ kind: 'bad-response', source: 'fred:VIXCLS', message: 'the file holds SP500, not vix' });
    });

    it("keeps FRED's error message from a 400 answer, and times out like the others", async () => {
      const e = left(await fredDailyCloseSource({ series: 'nasdaq', url: `${server.base}/fred-400` }).fetch()());
      expect(e).to.include({ kind: 'http-status', source: 'fred:NASDAQCOM', status: 400 });
      expect(describeSourceError(e)).to.include('api_key is not registered');
      const t = left(await fredDailyCloseSource({ series: 'vix', url: `${server.base}/never`, timeoutMs: 200 }).fetch()());
      expect(t).to.include({ kind: 'timeout', source: 'fred:VIXCLS', afterMs: 200 });
    });
  });

  describe('social sentiment over HTTP (generic JSON format)', () => {
    const source = () => httpSocialSentimentSource({ name: 'testfeed' as SocialSourceName, url: `${server.base}/social` });

    it('reads day and time readings, refuses bad entries by index, and passes the query on', async () => {
      const b = right(await source().fetch({ symbols: ['BTC', 'ETH'] as SocialSymbol[], from: '2024-05-01' as Day, to: '2024-05-03' as Day })());
      expect(server.requests).to.include('/social?symbols=BTC%2CETH&from=2024-05-01&to=2024-05-03');
      expect(b.readings).to.deep.equal([
        { source: 'testfeed', symbol: 'BTC', at: { day: '2024-05-01' }, score: 0.25, mentions: 1200 },
        { source: 'testfeed', symbol: 'ETH', at: { time: Date.parse('2024-05-01T13:00:00Z') }, score: -0.1, mentions: 300 },
        { source: 'testfeed', symbol: 'ETH', at: { time: Date.parse('2024-05-01T20:00:00Z') }, score: 0.3, mentions: 100 },
      ]);
      expect(b.rejected.map((r) => r.where)).to.deep.equal(['data[3]', 'data[4]', 'data[5]', 'data[6]', 'data[7]']);
      expect(b.rejected[0]!.message).to.match(/^score: /);
      expect(b.rejected[1]!.message).to.match(/^symbol: /);
      expect(b.rejected[2]!.message).to.equal('has both day and time: give one');
      expect(b.rejected[3]!.message).to.match(/^mentions: /);
      expect(b.rejected[4]!.message).to.match(/day|time/);
    });

    it('fails with typed errors naming the source on a 500, a timeout and an answer in another format', async () => {
      const e500 = left(await httpSocialSentimentSource({ name: 'testfeed' as SocialSourceName, url: `${server.base}/fng-500` }).fetch()());
      expect(e500).to.include({ kind: 'http-status', source: 'social:testfeed', status: 500 });
      const slow = left(await httpSocialSentimentSource({ name: 'testfeed' as SocialSourceName, url: `${server.base}/never`, timeoutMs: 200 }).fetch()());
      expect(slow).to.include({ kind: 'timeout', source: 'social:testfeed' });
      const wrong = left(await httpSocialSentimentSource({ name: 'testfeed' as SocialSourceName, url: `${server.base}/fred/series/observations` }).fetch()());
      expect(wrong).to.include({ kind: 'bad-response', source: 'social:testfeed' });
      expect(describeSourceError(wrong)).to.match(/not a social-sentiment answer: data: /);
    });
  });
});
