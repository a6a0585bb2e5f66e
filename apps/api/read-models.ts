// The read models the API queries, as the API's ports see them.
export { strategyReadModel } from '../../projections/strategies/queries.js';
export { activationAuditReadModel } from '../../projections/activation-audit/queries.js';
