// A strategy's state, folded from its events. Only what decide() needs to enforce the lifecycle.
import type { StrategyEvent } from './events.js';

export type StrategyStatus = 'Initial' | 'Generated' | 'Backtested' | 'Filtered' | 'Paper' | 'Live' | 'Retired';

export type StrategyState =
  | { readonly status: 'Initial' }
  | { readonly status: 'Generated' | 'Backtested' | 'Paper' | 'Live'; readonly strategyId: string }
  | { readonly status: 'Filtered'; readonly strategyId: string; readonly outcome: 'passed' | 'rejected' }
  | { readonly status: 'Retired'; readonly strategyId: string; readonly fromState: string };

export const initialState = (): StrategyState => ({ status: 'Initial' });

export const evolve = (state: StrategyState, event: StrategyEvent): StrategyState => {
  const strategyId = event.data.strategyId;
  switch (event.type) {
    case 'StrategyGenerated':
      return { status: 'Generated', strategyId };
    case 'StrategyBacktested':
      return { status: 'Backtested', strategyId };
    case 'StrategyFiltered':
      return { status: 'Filtered', strategyId, outcome: event.data.verdict.outcome };
    case 'PaperTradingStarted':
    case 'StrategyDeactivated':
      return { status: 'Paper', strategyId };
    case 'StrategyActivated':
      return { status: 'Live', strategyId };
    case 'StrategyRetired':
      return { status: 'Retired', strategyId, fromState: event.data.fromState };
    default: {
      const unknown: never = event;
      throw new Error(`evolve: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
};

/** The state name as people read it: `Filtered(passed)`. */
export const describeState = (s: StrategyState): string => (s.status === 'Filtered' ? `Filtered(${s.outcome})` : s.status);
