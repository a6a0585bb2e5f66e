// Every event type the system stores, with the codec that must accept it when it is read back.
// A type missing here, or data its codec refuses, is a loud read-time error, never a silent skip.
import type * as t from 'io-ts';
import { ApiKeyEventData } from '../access/events.js';
import { AlertEventData } from '../alerts/events.js';
import { BacktestEventData } from '../backtest/events.js';
import { ExecutorEventData, OrderEventData } from '../execution/events.js';
import { CycleEventData } from '../learning/cycle-started.js';
import { CycleStageEventData } from '../learning/cycle-stages.js';
import { ReconciliationEventData } from '../execution/reconciliation-events.js';
import { LearningEventData } from '../learning/events.js';
import { LearningPolicyEventData } from '../learning/policy-events.js';
import { PaperSessionEventData } from '../paper/events.js';
import { PerformanceEventData } from '../performance/events.js';
import { PredictorEventData } from '../prediction/events.js';
import { ReplayEventData } from '../pipeline/replay.js';
import { QuarantineEventData } from '../quarantine/events.js';
import { RiskEventData } from '../risk/events.js';
import { SelectionEventData } from '../selection/events.js';
import { SettingsEventData } from '../settings/events.js';
import { StrategyEventData } from '../strategy/events.js';

export const EVENT_CATALOG: Readonly<Record<string, t.Mixed>> = {
  ...StrategyEventData,
  ...SelectionEventData,
  ...LearningEventData,
  ...CycleEventData,
  ...LearningPolicyEventData,
  ...BacktestEventData,
  ...QuarantineEventData,
  ...OrderEventData,
  ...ExecutorEventData,
  ...RiskEventData,
  ...ReconciliationEventData,
  ...PaperSessionEventData,
  ...SettingsEventData,
  ...PerformanceEventData,
  ...ReplayEventData,
  ...CycleStageEventData,
  ...ApiKeyEventData,
  ...AlertEventData,
  ...PredictorEventData,
};

export const SCHEMA_VERSION = 1;
export const categoryOf = (streamName: string): string => {
  const dash = streamName.indexOf('-');
  return dash < 0 ? streamName : streamName.slice(0, dash);
};
