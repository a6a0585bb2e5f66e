// The operator's overrides that are not strategy commands, on the same handlers as their CLIs: the platform settings
// (`npm run settings`: MAX_ACTIVE_STRATEGIES, monitor.* …) and an account's risk limits and kill switches
// (`npm run risk`). Changing them needs the admin role (route-roles.ts); each needs a reason (400 naming `reason`
// when missing or blank; a setting's value outside its range is a 400 naming `value`) and is recorded with the key's
// actor, as the CLI records its --operator.
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommandDeps } from '../../application/commands/handle-command.js';
import { changeSetting, loadSettingsState } from '../../application/settings/settings-recorder.js';
import { loadRiskState, recordRiskCommand } from '../../application/trading/risk-recorder.js';
import { Actor, Finite, IdString, Reason, type EpochMs } from '../../domain/primitives/codecs.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import { decodeStorable } from '../../domain/primitives/exact.js';
import { KillSwitchTrigger } from '../../domain/risk/events.js';
import { RiskLimits } from '../../domain/risk/limits.js';
import { describeRange, isSettingName, outOfRange, SETTING_NAMES, SETTINGS } from '../../domain/settings/definitions.js';
import { settingValues } from '../../domain/settings/state.js';
import { invalidRequest, overrideFailed, type HttpAnswer } from './problems.js';
import { principalOf } from './principal.js';
import { send } from './query.js';

export interface OverrideRouteDeps extends CommandDeps {
  /** The risk limits of an account without its own (configuration's RISK_*). */
  readonly defaultRiskLimits: RiskLimits;
}

const Who = { actor: Actor };
export const SettingBody = t.intersection([t.type({ value: Finite, reason: Reason }), t.partial(Who)]);
export const KillBody = t.intersection([t.type({ reason: Reason }), t.partial(Who)]);
export const ReleaseBody = t.intersection([t.type({ trigger: KillSwitchTrigger, reason: Reason }), t.partial(Who)]);
export const LimitsBody = t.intersection([t.type({ reason: Reason, limits: t.partial(RiskLimits.props) }), t.partial(Who)]);

const decodeBody = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): either.Either<HttpAnswer, A> =>
  either.mapLeft((errs: ReturnType<typeof fieldErrors>) => invalidRequest(errs, 'body'))(decodeStorable(codec, value));
const accountOf = (req: Request): either.Either<HttpAnswer, string> =>
  // No control character (a NUL cannot be stored in PostgreSQL text: it would be a 500 on the stream's read).
  IdString.is(req.params['account']) && req.params['account'].length <= 200 && !/\p{Cc}/u.test(req.params['account'])
    ? either.right(req.params['account'])
    : either.left(invalidRequest([{ path: 'account', message: 'must be an account name (1 to 200 characters, no control character)' }], 'path'));

export const overrideRoutes = (deps: OverrideRouteDeps): express.Router => {
  const router = express.Router();
  const actor = (res: Response) => principalOf(res)!.actor;

  router.get('/api/settings', async (_req, res) => {
    const state = await loadSettingsState(deps.store);
    if (either.isLeft(state)) return send(res, overrideFailed(state.left));
    const values = settingValues(state.right);
    res.json({
      settings: SETTING_NAMES.map((name) => ({
        name,
        value: values[name],
        set: name in state.right.set,
        default: SETTINGS[name].default,
        range: describeRange(name),
      })),
    });
  });

  router.post('/api/settings/:name', async (req, res) => {
    const name = req.params['name'];
    if (!isSettingName(name))
      return send(res, {
        status: 404,
        body: { error: 'UnknownSetting', message: `no setting "${name.slice(0, 100)}": the settings are ${SETTING_NAMES.join(', ')}`, settings: SETTING_NAMES },
      });
    const body = decodeBody(SettingBody, req.body);
    if (either.isLeft(body)) return send(res, body.left);
    // Out of its range is a bad body: 400 naming `value`, the setting and its range (the decider refuses it too).
    const wrong = outOfRange(name, body.right.value);
    if (wrong !== undefined) return send(res, invalidRequest([{ path: 'value', message: wrong }], 'body'));
    const done = await changeSetting(deps)({
      type: 'ChangeSetting',
      data: { name: name, value: body.right.value, reason: body.right.reason, decidedBy: actor(res) },
    });
    if (either.isLeft(done)) return send(res, overrideFailed(done.left));
    res.json({ name, value: body.right.value, recorded: done.right.events.length > 0, revision: done.right.revision, events: done.right.events });
  });

  router.get('/api/risk/:account', async (req, res) => {
    const account = accountOf(req);
    if (either.isLeft(account)) return send(res, account.left);
    const state = await loadRiskState(deps, account.right);
    if (either.isLeft(state)) return send(res, overrideFailed(state.left));
    res.json({
      account: account.right,
      limits: state.right.limits ?? deps.defaultRiskLimits,
      limitsFrom: state.right.limits ? 'stream' : 'configuration',
      engaged: Object.values(state.right.engaged),
      refusals: state.right.refusals,
    });
  });

  const riskCommand = async (
    req: Request,
    res: Response,
    build: (account: string, now: EpochMs) => Promise<HttpAnswer | Parameters<ReturnType<typeof recordRiskCommand>>[0]>,
  ) => {
    const account = accountOf(req);
    if (either.isLeft(account)) return send(res, account.left);
    const command = await build(account.right, deps.clock.now().getTime() as EpochMs);
    if ('status' in command) return send(res, command);
    const done = await recordRiskCommand(deps)(command);
    if (either.isLeft(done)) return send(res, overrideFailed(done.left));
    res.json({ account: account.right, recorded: done.right.events.map((e) => e.type), revision: done.right.revision });
  };

  router.post('/api/risk/:account/kill', (req, res) =>
    riskCommand(req, res, async (account, time) => {
      const body = decodeBody(KillBody, req.body);
      if (either.isLeft(body)) return body.left;
      // As `npm run risk -- kill`: the running session's gate closes whatever it holds when it applies this.
      return {
        type: 'EngageKillSwitch',
        account,
        data: { account, trigger: 'manual', time, decidedBy: actor(res), reason: body.right.reason, positionsToClose: [] },
      };
    }),
  );

  router.post('/api/risk/:account/release', (req, res) =>
    riskCommand(req, res, async (account, time) => {
      const body = decodeBody(ReleaseBody, req.body);
      if (either.isLeft(body)) return body.left;
      return { type: 'ReleaseKillSwitch', account, data: { decidedBy: actor(res), reason: body.right.reason, trigger: body.right.trigger, time } };
    }),
  );

  router.post('/api/risk/:account/limits', (req, res) =>
    riskCommand(req, res, async (account) => {
      const body = decodeBody(LimitsBody, req.body);
      if (either.isLeft(body)) return body.left;
      const state = await loadRiskState(deps, account);
      if (either.isLeft(state)) return overrideFailed(state.left);
      const limits = RiskLimits.decode({ ...(state.right.limits ?? deps.defaultRiskLimits), ...body.right.limits });
      if (either.isLeft(limits)) return invalidRequest(fieldErrors(limits.left).map((e) => ({ ...e, path: `limits.${e.path}` })));
      return { type: 'SetRiskLimits', account, data: { decidedBy: actor(res), reason: body.right.reason, limits: limits.right } };
    }),
  );

  return router;
};
