/**
 * The end of a device flow in the browser: the user's Allow or Deny on the consent
 * page is recorded on the device authorization (the device learns it at its next
 * poll), audited, and the user is told to go back to the device. Approved scopes are
 * narrowed to what the user may delegate, as for a code (credentials/delegation.ts).
 */
import { randomUUID } from 'node:crypto';
import type { RequestOrigin } from '../audit/request-origin.js';
import { delegableByUser } from '../credentials/delegation.js';
import type { FlowContext } from '../interaction/flow-context.js';
import type { PendingAuthorization } from '../interaction/pending-authorizations.js';
import { SESSION_TTL, type Session } from '../interaction/sessions.js';
import type { Client, User } from '../model.js';
import type { EngineResponse } from '../request.js';

type DevicePending = PendingAuthorization & { device: NonNullable<PendingAuthorization['device']> };

export async function finishDeviceAuthorization(
  ctx: FlowContext,
  pending: DevicePending,
  client: Client,
  user: User,
  session: Session,
  decision: 'allow' | 'deny',
  origin: RequestOrigin,
): Promise<EngineResponse> {
  const now = ctx.clock.now();
  const scopes = await delegableByUser(ctx.store, user, pending.request.api, pending.request.scopes);
  const decided = await ctx.store.deviceAuthorizations.decideDeviceAuthorization(
    pending.device.userCodeHash,
    decision === 'allow'
      ? { status: 'approved', approval: { userId: user.id, scopes, authTime: session.authTime, amr: session.amr, sid: session.sid, grantId: randomUUID() } }
      : { status: 'denied' },
    now,
  );
  const event = { type: 'device.authorized', actor: { type: 'user', id: user.id }, subject: user.id, clientId: client.clientId, scopes, ...origin } as const;
  if (!decided) {
    ctx.audit.record({ ...event, outcome: 'failure', reason: 'expired_token: the device code expired or was already decided' });
    return ctx.views.error('This code has expired', 'The code was used already or has run out. Start again on your device to get a new one.', 400);
  }
  ctx.audit.record(
    decision === 'allow' ? { ...event, outcome: 'success' } : { ...event, outcome: 'failure', reason: 'access_denied: the user denied the device' },
  );
  // The device's ID tokens carry this session's sid: tell the device's client when the session ends (back-channel logout).
  if (decision === 'allow')
    await ctx.backchannelLogout?.signedInto(session.sid, session.authTime + SESSION_TTL, { clientId: client.clientId, sub: user.id, sid: session.sid });
  return ctx.views.deviceDone({ clientName: client.name, approved: decision === 'allow' });
}
