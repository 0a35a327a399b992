/**
 * What follows a first factor (a password, an upstream provider): a session at once,
 * or the second step when the user has a factor, or must have one (policy, the
 * client's requireMfa, a request for the multi-factor level) and is taken through
 * enrolment. Every page that signs people in goes through here.
 */
import type { Client, User } from '../model.js';
import type { EngineRequest } from '../request.js';
import type { FlowContext } from '../interaction/flow-context.js';

export interface Continuation {
  /** Methods used so far (['pwd'], or none for an upstream provider). */
  amr: string[];
  /** Where the browser goes once signed in. */
  next: string;
  /** The browser cookie the second step is bound to. */
  browser: string;
  client?: Client;
  formActions?: string[];
  /** A second factor is asked for even if policy does not require one (acr_values). */
  wantMfa?: boolean;
}

export type FirstFactorOutcome = { cookie: string } | { secondStep: string };

export async function afterFirstFactor(ctx: FlowContext, request: EngineRequest, user: User, then: Continuation): Promise<FirstFactorOutcome> {
  const hasFactor = await ctx.mfa.has(user.id);
  if (hasFactor || then.wantMfa || ctx.mfa.required(user, then.client)) return { secondStep: await startSecondStep(ctx, user, then, hasFactor) };
  const userAgent = request.headers['user-agent'];
  const { cookie } = await ctx.sessions.create(user.id, { ...(userAgent ? { userAgent } : {}), ...(request.ip ? { ip: request.ip } : {}) }, then.amr);
  return { cookie };
}

/** Starts the second step (enrolment first when the user has no factor); returns where to send the browser. */
export async function startSecondStep(ctx: FlowContext, user: User, then: Continuation, hasFactor?: boolean): Promise<string> {
  const enrol = !(hasFactor ?? (await ctx.mfa.has(user.id)));
  const step = await ctx.secondSteps.start(
    {
      userId: user.id,
      amr: then.amr,
      next: then.next,
      formActions: then.formActions ?? [],
      ...(then.client ? { clientId: then.client.clientId } : {}),
      ...(enrol
        ? {
            enrol: ctx.mfa.startTotp(user).sealed,
            reason: then.client?.requireMfa
              ? `${then.client.name} asks for a second factor.`
              : then.wantMfa && !ctx.mfa.required(user, then.client)
                ? 'The app asks for a stronger sign-in.'
                : 'Your organisation asks for a second factor.',
          }
        : {}),
    },
    then.browser,
  );
  return `${ctx.issuer}/mfa/${step.id}`;
}
