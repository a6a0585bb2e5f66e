// The operator's settings and kill switch over HTTP, for the console (doc/operator-console.md), the same commands
// `npm run settings -- set` and `npm run risk -- kill|release` record:
// - `POST /api/settings/:name` { value, reason, actor? }: a setting (maxActiveStrategies, monitor.* …) through the
//   settings decider (its range checked there: 422 when out of range);
// - `POST /api/risk/:account/kill-switch` { engage, reason, actor?, trigger? }: engage the manual kill switch of an
//   account (positions closed, no new orders) or release one.
// A reason is required (400 naming the field without it). Which role may call them is the auth module's to decide.
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommandDeps } from '../../application/commands/handle-command.js';
import { changeSetting } from '../../application/settings/settings-recorder.js';
import { recordRiskCommand } from '../../application/trading/risk-recorder.js';
import { Actor, IdString, Reason, type EpochMs } from '../../domain/primitives/codecs.js';
import type { fieldErrors } from '../../domain/primitives/decode-errors.js';
import { decodeStorable } from '../../domain/primitives/exact.js';
import { KillSwitchTrigger } from '../../domain/risk/events.js';
import { isSettingName, SETTING_NAMES } from '../../domain/settings/definitions.js';
import type { SettingsCommand } from '../../domain/settings/commands.js';
import { invalidRequest, type HttpAnswer } from './problems.js';

export const SettingBody = t.intersection([t.type({ value: t.number, reason: Reason }), t.partial({ actor: Actor })], 'SettingBody');
export const KillSwitchBody = t.intersection(
  [t.type({ engage: t.boolean, reason: Reason }), t.partial({ actor: Actor, trigger: KillSwitchTrigger })],
  'KillSwitchBody',
);

const send = (res: Response, a: HttpAnswer) => res.status(a.status).json(a.body);
const body = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): either.Either<HttpAnswer, A> =>
  either.mapLeft((errs: ReturnType<typeof fieldErrors>) => invalidRequest(errs, 'body'))(decodeStorable(codec, value));
/** A refusal of the decider (out of range, nothing engaged) is a 422 saying why; a failure to read the stream a 500. */
const refused = (e: unknown): HttpAnswer => {
  const x = e as { kind?: string; message?: string };
  return x.kind === 'EventDecodeFailed'
    ? { status: 500, body: { error: 'StreamUnreadable', message: x.message ?? 'the stream does not decode' } }
    : { status: 422, body: { error: x.kind ?? 'Refused', message: x.message ?? JSON.stringify(e) } };
};

export const operatorRoutes = (deps: CommandDeps): express.Router => {
  const router = express.Router();

  router.post('/api/settings/:name', async (req: Request, res: Response) => {
    const name = req.params['name'] as string;
    if (!isSettingName(name))
      return send(res, invalidRequest([{ path: 'name', message: `unknown setting; the settings are ${SETTING_NAMES.join(', ')}` }], 'path'));
    const b = body(SettingBody, req.body);
    if (either.isLeft(b)) return send(res, b.left);
    const actor = b.right.actor ?? ('operator:api' as Actor);
    const command = { type: 'ChangeSetting', data: { name, value: b.right.value, decidedBy: actor, reason: b.right.reason } } as SettingsCommand;
    const done = await changeSetting(deps)(command);
    if (either.isLeft(done)) return send(res, refused(done.left));
    res.json({ name, value: b.right.value, revision: done.right.revision, events: done.right.events.length });
  });

  router.post('/api/risk/:account/kill-switch', async (req: Request, res: Response) => {
    const account = req.params['account'];
    if (!IdString.is(account) || account.length > 200) return send(res, invalidRequest([{ path: 'account', message: 'must be an account id' }], 'path'));
    const b = body(KillSwitchBody, req.body);
    if (either.isLeft(b)) return send(res, b.left);
    const actor = b.right.actor ?? ('operator:api' as Actor);
    const time = deps.clock.now().getTime() as EpochMs;
    const trigger = b.right.trigger ?? 'manual';
    const done = await recordRiskCommand(deps)(
      b.right.engage
        ? { type: 'EngageKillSwitch', account, data: { account, trigger: 'manual', time, decidedBy: actor, reason: b.right.reason, positionsToClose: [] } }
        : { type: 'ReleaseKillSwitch', account, data: { decidedBy: actor, reason: b.right.reason, trigger, time } },
    );
    if (either.isLeft(done)) return send(res, refused(done.left));
    res.json({ account, engaged: b.right.engage, revision: done.right.revision, events: done.right.events.map((e) => e.type) });
  });

  return router;
};
