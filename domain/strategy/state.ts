// A strategy's state, folded from its events. Only what decide() needs to enforce the lifecycle.
import type { StrategyEvent } from './events.js';

export type StrategyStatus = 'Initial' | 'Generated' | 'Backtested' | 'Filtered' | 'Paper' | 'Live' | 'Retired';

/** What a strategy in paper or live carries: its paper verdict once given, and whether an operator pinned it. */
export interface TradingFlags {
  readonly evaluation?: 'eligible' | 'rejected';
  readonly pinned: boolean;
}

export type StrategyState =
  | { readonly status: 'Initial' }
  | { readonly status: 'Generated' | 'Backtested'; readonly strategyId: string }
  | ({ readonly status: 'Paper' | 'Live'; readonly strategyId: string } & TradingFlags)
  | { readonly status: 'Filtered'; readonly strategyId: string; readonly outcome: 'passed' | 'rejected' }
  | { readonly status: 'Retired'; readonly strategyId: string; readonly fromState: string };

const flags = (s: StrategyState): TradingFlags =>
  s.status === 'Paper' || s.status === 'Live' ? { pinned: s.pinned, ...(s.evaluation ? { evaluation: s.evaluation } : {}) } : { pinned: false };

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
      return { status: 'Paper', strategyId, pinned: false };
    case 'StrategyDeactivated':
      return { status: 'Paper', strategyId, ...flags(state) };
    case 'StrategyActivated':
      return { status: 'Live', strategyId, ...flags(state) };
    case 'PaperTradingEvaluated':
      return state.status === 'Paper' || state.status === 'Live' ? { ...state, evaluation: event.data.evaluation.outcome } : state;
    case 'StrategyPinned':
    case 'StrategyUnpinned':
      return state.status === 'Paper' || state.status === 'Live' ? { ...state, pinned: event.type === 'StrategyPinned' } : state;
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
