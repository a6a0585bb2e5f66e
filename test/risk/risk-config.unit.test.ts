// The risk limits from configuration: defaults when unset, each RISK_* variable decoded, a wrong value named.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { DEFAULT_RISK_LIMITS } from '../../domain/risk/limits.js';
import { loadConfig } from '../../infrastructure/config/config.js';

describe('risk limits from configuration', () => {
  it('defaults when no RISK_* variable is set', () => {
    const c = loadConfig({});
    expect(either.isRight(c) && c.right.risk.limits).to.deep.equal(DEFAULT_RISK_LIMITS);
  });

  it('reads every RISK_* variable', () => {
    const c = loadConfig({
      RISK_MAX_POSITION_NOTIONAL: '25000.5',
      RISK_MAX_SYMBOL_EXPOSURE: '0.4',
      RISK_MAX_PORTFOLIO_EXPOSURE: '2',
      RISK_MAX_OPEN_POSITIONS: '0',
      RISK_DAILY_LOSS_LIMIT: '0.03',
      RISK_MAX_DRAWDOWN: '1',
    });
    expect(either.isRight(c) && c.right.risk.limits).to.deep.equal({
      maxPositionNotional: 25000.5,
      maxSymbolExposure: 0.4,
      maxPortfolioExposure: 2,
      maxOpenPositions: 0,
      dailyLossLimit: 0.03,
      maxDrawdown: 1,
    });
  });

  for (const [name, value] of [
    ['RISK_MAX_DRAWDOWN', '0'],
    ['RISK_MAX_DRAWDOWN', '1.5'],
    ['RISK_DAILY_LOSS_LIMIT', '5%'],
    ['RISK_MAX_SYMBOL_EXPOSURE', '11'],
    ['RISK_MAX_PORTFOLIO_EXPOSURE', '-1'],
    ['RISK_MAX_POSITION_NOTIONAL', 'NaN'],
    ['RISK_MAX_OPEN_POSITIONS', '2.5'],
  ] as const)
    it(`${name}=${value} stops the start with the variable named`, () => {
      const c = loadConfig({ [name]: value });
      expect(either.isLeft(c) && c.left).to.match(new RegExp(`${name}: must be`));
    });
});
