// The gate's recordings through the one command handler into PostgreSQL behind the append check: a refusal, a
// drawdown kill switch and an operator's release are stored, read back, and a gate opened on the stream starts with
// its limits and switches; a retried refusal of the same order is stored once.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { EventStore } from '../../application/ports/event-store.js';
import { openRiskGate, recordRiskCommand } from '../../application/trading/risk-recorder.js';
import type { RiskCommand } from '../../domain/risk/commands.js';
import { DEFAULT_RISK_LIMITS } from '../../domain/risk/limits.js';
import { riskStream } from '../../domain/risk/events.js';
import type { OrderSpec } from '../../domain/execution/order.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';

const T = Date.UTC(2024, 2, 1, 10);

describe('risk recordings in the event store (application/trading/risk-recorder.ts)', () => {
  let db: TestDatabase;
  let store: EventStore;
  const deps = () => ({ store, clock: { now: () => new Date(T) }, ids: uuidIds });

  before(async () => {
    db = await freshDatabase('risk_recorder');
    store = checkedPostgresStore({ connectionString: db.url });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });

  it('stores refusals once per order, the drawdown switch and its release; a reopened gate is halted until then', async () => {
    const failures: unknown[] = [];
    const opened = await openRiskGate(deps(), {
      account: 'paper-1',
      exchange: 'binance',
      cash: 10_000,
      // the daily loss limit out of the way: this is the drawdown's story
      defaultLimits: { ...DEFAULT_RISK_LIMITS, maxDrawdown: 0.2, dailyLossLimit: 0.9 } as typeof DEFAULT_RISK_LIMITS,
      onRecordFailed: (e) => failures.push(e),
    });
    if (either.isLeft(opened)) return expect.fail(JSON.stringify(opened.left));
    const gate = opened.right;
    const spec = { clientOrderId: 'mt-1', symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: 1 } as OrderSpec;
    const big = { account: 'paper-1', exchange: 'binance', spec, referencePrice: 50_000, time: T };
    expect(either.isLeft(gate.check(big))).to.equal(true);
    expect(either.isLeft(gate.check(big)), 'retried').to.equal(true);

    const small = { ...big, spec: { ...spec, clientOrderId: 'mt-2', quantity: 0.05 } as OrderSpec };
    expect(either.isRight(gate.check(small))).to.equal(true);
    gate.onFill({ clientOrderId: 'mt-2', symbol: 'BTCUSDT', side: 'buy', price: 50_000, quantity: 0.05, fee: 0, time: T, complete: true });
    expect(gate.onPrice('BTCUSDT', 0.05 * 50_000, T + 3_600_000)?.trigger).to.equal('max_drawdown');
    await gate.flush();
    expect(failures).to.deep.equal([]);

    const types = (await store.readStream(riskStream('paper-1'))).map((e) => e.type);
    expect(types).to.deep.equal(['RiskOrderRefused', 'KillSwitchEngaged']);

    const reopened = await openRiskGate(deps(), { account: 'paper-1', exchange: 'binance', cash: 9000, defaultLimits: DEFAULT_RISK_LIMITS });
    if (either.isLeft(reopened)) return expect.fail(JSON.stringify(reopened.left));
    const again = { ...big, spec: { ...spec, clientOrderId: 'mt-3', quantity: 0.001 } as OrderSpec };
    const refusal = reopened.right.check(again);
    expect(either.isLeft(refusal) && refusal.left.rule).to.equal('max_drawdown');

    const release = (decidedBy: string) =>
      ({ type: 'ReleaseKillSwitch', account: 'paper-1', data: { trigger: 'max_drawdown', decidedBy, reason: 'reviewed', time: T + 7_200_000 } }) as RiskCommand;
    const bySystem = await recordRiskCommand(deps())(release('system:cron'));
    expect(either.isLeft(bySystem) && bySystem.left).to.deep.include({ code: 'NotAnOperator' });
    const released = await reopened.right.command(release('operator:alice'));
    expect(either.isRight(released)).to.equal(true);
    expect(either.isRight(reopened.right.check({ ...again, spec: { ...again.spec, clientOrderId: 'mt-4' } as OrderSpec }))).to.equal(true);
    await reopened.right.flush();
    const stored = await store.readStream(riskStream('paper-1'));
    expect(stored.map((e) => e.type)).to.deep.equal(['RiskOrderRefused', 'KillSwitchEngaged', 'RiskOrderRefused', 'KillSwitchReleased']);
    expect(stored[3]!.metadata).to.deep.include({ actor: 'operator:alice' });
  });
});
