// Walk-forward and grid-search jobs leave the API's event loop like single ones: the job carries its analysis on the
// wire (old messages without one still decode), a worker thread of the pool runs it, and through a real RabbitMQ work
// queue a consumer records it — with the results the domain's analyses give on the same real candles.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { decodeBacktestJob, MalformedJobError, BacktestJobCodec } from '../../application/backtest/job-codec.js';
import type { BacktestJob, BacktestJobOutcome } from '../../application/ports/backtest-jobs.js';
import { gridSearch } from '../../domain/backtest/grid-search.js';
import { walkForward } from '../../domain/backtest/walk-forward.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { RabbitMqJobQueue } from '../../infrastructure/backtest/rabbitmq-job-queue.js';
import { runJob } from '../../infrastructure/backtest/run-job.js';
import { WorkerPool } from '../../infrastructure/backtest/worker-pool.js';
import { loadCandles } from '../indicators/real-candles.js';
import { AMQP_TEST_URL, cleanUpQueue } from './queue-support.js';

const PERIOD = { from: Date.UTC(2023, 0, 1), to: Date.UTC(2023, 5, 1) };
const GRID = { 'fast.period': [5, 10, 20], 'slow.period': [30, 50, 80] };
const WALK_FORWARD = { inSample: 480, outOfSample: 240, grid: { 'fast.period': [5, 10], 'slow.period': [30, 50] } };

const job = (jobId: string, analysis?: BacktestJob['analysis']): BacktestJob => ({
  jobId,
  genome: smaCrossoverGenome(10, 30),
  exchange: 'binance',
  symbols: ['BTCUSDT', 'ETHUSDT'],
  interval: '1h',
  period: PERIOD,
  ...(analysis === undefined ? {} : { analysis }),
});
const gridJob = (id = 'grid-1') => job(id, { kind: 'grid_search', gridSearch: { grid: GRID, metric: 'totalReturn' } });
const walkForwardJob = (id = 'wf-1') => job(id, { kind: 'walk_forward', walkForward: WALK_FORWARD });

type Analysis = {
  kind: string;
  cells?: { params: Record<string, number>; score?: number; rank?: number; headline?: Record<string, number> }[];
  windows?: { params?: unknown; outOfSampleHeadline: Record<string, number> }[];
};
const analysisOf = (o: BacktestJobOutcome | undefined): Analysis => {
  if (o === undefined || !o.ok) throw new Error(`not completed: ${JSON.stringify(o)}`);
  return (o.result as unknown as { analysis: Analysis }).analysis;
};

describe('walk-forward and grid-search jobs off the event loop', function () {
  this.timeout(120_000);
  let series: Record<string, CandleSeries>;
  let pool: WorkerPool;

  /** What the domain's analyses give on the same candles (independent of the runners and their shaping). */
  const expectDomainResults = (grid: Analysis, wf: Analysis) => {
    const search = gridSearch({ ...smaCrossoverGenome(10, 30), symbols: ['BTCUSDT', 'ETHUSDT'] } as never, GRID, series, new IndicatorCache(), {
      ...PERIOD,
      metric: 'totalReturn',
    });
    expect(grid.cells!.map((c) => [c.params, c.score, c.rank])).to.deep.equal(search.cells.map((c) => [c.params, c.score, c.rank]));
    expect(grid.cells!.map((c) => c.headline!['sharpe'])).to.deep.equal(search.cells.map((c) => c.metrics!['sharpe']));
    const direct = walkForward({ ...smaCrossoverGenome(10, 30), symbols: ['BTCUSDT', 'ETHUSDT'] } as never, series, new IndicatorCache(), WALK_FORWARD, PERIOD);
    expect(wf.windows!.map((w) => [w.params, w.outOfSampleHeadline['totalReturn']])).to.deep.equal(
      direct.windows.map((w) => [w.params, w.outOfSampleMetrics['totalReturn']]),
    );
  };

  before(async () => {
    series = { BTCUSDT: loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT'), ETHUSDT: loadCandles('binance_ETHUSDT_1h.csv.gz', 'ETHUSDT') };
    pool = new WorkerPool({
      size: 2,
      loadSeries: async (exchange, symbol, interval) => {
        const s = series[symbol];
        if (s === undefined || exchange !== 'binance' || interval !== '1h') throw new Error(`no data for ${exchange}:${symbol}:${interval}`);
        return s;
      },
    });
    await pool.ready();
  });
  after(async () => {
    await pool?.close();
  });

  it('the job codec carries the analysis; a message without one (as all were before) is a single job; a bad analysis is refused', () => {
    for (const j of [gridJob(), walkForwardJob()]) expect(decodeBacktestJob(JSON.parse(JSON.stringify(BacktestJobCodec.encode(j))))).to.deep.equal(j);
    const old = JSON.parse(JSON.stringify(BacktestJobCodec.encode(job('old-1'))));
    expect(old).to.not.have.property('analysis');
    expect(decodeBacktestJob(old)).to.deep.equal(job('old-1'));
    const wire = JSON.parse(JSON.stringify(BacktestJobCodec.encode(walkForwardJob())));
    expect(() => decodeBacktestJob({ ...wire, analysis: { kind: 'walk_forward', walkForward: { ...WALK_FORWARD, inSample: 0 } } })).to.throw(
      MalformedJobError,
      /analysis/,
    );
    expect(() => decodeBacktestJob({ ...wire, analysis: { kind: 'monte_carlo' } })).to.throw(MalformedJobError);
  });

  it('a worker thread runs them and gives what the domain analyses give, and what this thread gives', async () => {
    const [grid, wf] = await pool.runMany([gridJob(), walkForwardJob()]);
    expectDomainResults(analysisOf(grid), analysisOf(wf));
    expect(grid).to.deep.equal(runJob(gridJob(), series, new IndicatorCache()));
    expect(wf).to.deep.equal(runJob(walkForwardJob(), series, new IndicatorCache()));
  });

  it('through the RabbitMQ work queue: the consumer receives the analysis with the job and records its table', async () => {
    const queueName = `test.backtest.${randomUUID()}`;
    const opened: RabbitMqJobQueue[] = [];
    const open = () => {
      const q = new RabbitMqJobQueue({ url: AMQP_TEST_URL, queue: queueName, log: pino({ level: 'silent' }), redeliveryDelayMs: 50 });
      opened.push(q);
      return q;
    };
    try {
      const recorded = new Map<string, { job: BacktestJob; outcome: BacktestJobOutcome }>();
      await open().consume(
        (j) => pool.run(j),
        async (j, outcome) => void recorded.set(j.jobId, { job: j, outcome }),
      );
      const producer = open();
      await producer.submit(gridJob('queued-grid'));
      await producer.submit(walkForwardJob('queued-wf'));
      for (let i = 0; recorded.size < 2; i++) {
        if (i > 600) throw new Error('the jobs were not recorded');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(recorded.get('queued-grid')!.job.analysis).to.deep.equal(gridJob().analysis);
      expectDomainResults(analysisOf(recorded.get('queued-grid')!.outcome), analysisOf(recorded.get('queued-wf')!.outcome));
    } finally {
      await cleanUpQueue(queueName, [], opened);
    }
  });
});
