// The paper session's record as specifications: started once, stopped once after it started, the stop's summary
// only for the session's accounts; fixtures go through the event codecs, so each given is something the store holds.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type * as t from 'io-ts';
import { paperSessionDecider, type PaperSessionCommand, type PaperSessionRefused } from '../../domain/paper/decide.js';
import { PaperSessionEventData, type PaperSessionEvent } from '../../domain/paper/events.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { spec } from '../domain/decider-spec.js';

const valid = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): A => {
  const decoded = codec.decode(value);
  if (either.isLeft(decoded)) throw new Error(`invalid fixture for ${codec.name}: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  return decoded.right;
};

const SESSION = '4c7e9a21-3b5d-4f6e-8a9b-0c1d2e3f4a5b';
const startedData = valid(PaperSessionEventData.PaperSessionStarted, {
  sessionId: SESSION,
  accounts: [
    { account: 'paper-a', symbol: 'BTCUSDT', genome: smaCrossoverGenome() },
    { account: 'paper-b', symbol: 'ETHUSDT', strategyId: '3f1c2a9e-7b4d-4e8a-9c21-5d6e7f809a1b' },
  ],
  interval: '1h',
  exchange: 'binance',
  settings: { takerFee: 0, makerFee: 0, slippage: 0, initialCapital: 5000, sizing: { mode: 'whole' } },
  riskLimits: { maxPositionNotional: 1e6, maxSymbolExposure: 1, maxPortfolioExposure: 2, maxOpenPositions: 10, dailyLossLimit: 0.05, maxDrawdown: 0.2 },
  window: { kind: 'replay', from: 1672531200000, to: 1675209600000 },
  startedBy: 'operator:alice',
  at: 1709294400000,
});
const summary = (account: string, symbol: string) => ({
  account,
  symbol,
  trades: 3,
  ordersPlaced: 9,
  ordersRefused: 0,
  ordersRejected: 0,
  finalEquity: 5100,
  totalReturn: 0.02,
});
const stoppedData = valid(PaperSessionEventData.PaperSessionStopped, {
  sessionId: SESSION,
  reason: 'end_of_data',
  at: 1709294460000,
  candles: 744,
  accounts: [summary('paper-a', 'BTCUSDT'), summary('paper-b', 'ETHUSDT')],
  failures: 0,
});

const started: PaperSessionEvent = { type: 'PaperSessionStarted', data: startedData };
const stopped: PaperSessionEvent = { type: 'PaperSessionStopped', data: stoppedData };
const start = (data: Partial<typeof startedData> = {}): PaperSessionCommand => ({ type: 'StartPaperSession', data: { ...startedData, ...data } });
const stop = (data: Partial<typeof stoppedData> = {}): PaperSessionCommand => ({ type: 'StopPaperSession', data: { ...stoppedData, ...data } });
const refusal = (pattern: RegExp) => (e: PaperSessionRefused) => {
  expect(e.kind).to.equal('PaperSessionRefused');
  expect(e.message).to.match(pattern);
};

describe('paper session record (decider)', () => {
  const session = spec(paperSessionDecider);

  it('a new session starts: PaperSessionStarted with what the command says', () => session.given([]).when(start()).then([started]));
  it('a started session stops: PaperSessionStopped with the summary', () => session.given([started]).when(stop()).then([stopped]));
  it('a live session (no window) starts too', () =>
    session
      .given([])
      .when(start({ window: { kind: 'live' } }))
      .then([{ type: 'PaperSessionStarted', data: { ...startedData, window: { kind: 'live' } } }]));

  it('starts once', () =>
    session
      .given([started])
      .when(start())
      .thenFails(refusal(/already started/)));
  it('starts once, also after it stopped', () =>
    session
      .given([started, stopped])
      .when(start())
      .thenFails(refusal(/already started/)));
  it('stops only after it started', () =>
    session
      .given([])
      .when(stop())
      .thenFails(refusal(/has not started/)));
  it('stops once', () =>
    session
      .given([started, stopped])
      .when(stop())
      .thenFails(refusal(/already stopped/)));

  it('a session without accounts, or with an account twice, or an account without a strategy, does not start', () => {
    session
      .given([])
      .when(start({ accounts: [] }))
      .thenFails(refusal(/at least one account/));
    session
      .given([])
      .when(start({ accounts: [startedData.accounts[0]!, { ...startedData.accounts[1]!, account: startedData.accounts[0]!.account }] }))
      .thenFails(refusal(/paper-a is named twice/));
    session
      .given([])
      .when(start({ accounts: [{ account: startedData.accounts[0]!.account, symbol: startedData.accounts[0]!.symbol }] }))
      .thenFails(refusal(/paper-a: name its strategy/));
  });

  it('a replay window that does not end after it begins does not start', () =>
    session
      .given([])
      .when(start({ window: { kind: 'replay', from: startedData.at, to: startedData.at } as typeof startedData.window }))
      .thenFails(refusal(/must end after it begins/)));

  it("the stop's summary names only the session's accounts, and the session's id", () => {
    session
      .given([started])
      .when(stop({ accounts: [{ ...stoppedData.accounts[0]!, account: 'paper-z' }] }))
      .thenFails(refusal(/paper-z is not one of the session's/));
    session
      .given([started])
      .when(stop({ sessionId: 'another' }))
      .thenFails(refusal(/not another/));
  });
});
