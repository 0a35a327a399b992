/**
 * The end-user account page:
 *   GET  /account                 the page (signed out: to /account/sign-in and back)
 *   GET  /account/sign-in         Tessera's sign-in form, for the account itself
 *   POST /account/sign-in
 *   POST /account/:action         one form of the page (account-actions.ts)
 * Every POST checks the session's CSRF token before anything else.
 */
import type { EngineRequest, EngineResponse } from '../request.js';
import { ACCOUNT_ACTIONS, DONE } from './account-actions.js';
import { accountSignIn } from './account-sign-in.js';
import { renderAccount, type AccountEngine } from './account-view.js';
import { accountVisitor, csrfValid, isVisitor } from './visitor.js';

export function accountEndpoints(engine: AccountEngine) {
  const ctx = engine.flow;
  return {
    signIn: accountSignIn(ctx),

    async show(request: EngineRequest): Promise<EngineResponse> {
      const visitor = await accountVisitor(ctx, request);
      if (!isVisitor(visitor)) return visitor;
      const code = request.params.getAll('done')[0];
      const notice = code !== undefined && Object.hasOwn(DONE, code) ? { ...DONE[code]!, kind: 'success' as const } : undefined;
      return renderAccount(engine, visitor, notice ? { notice } : {});
    },

    async act(request: EngineRequest): Promise<EngineResponse> {
      const name = request.pathParams?.action ?? '';
      const action = Object.hasOwn(ACCOUNT_ACTIONS, name) ? ACCOUNT_ACTIONS[name] : undefined;
      if (!action) return ctx.views.error('Not found', 'There is no such page. Go back to your account page.', 404);
      const visitor = await accountVisitor(ctx, request);
      if (!isVisitor(visitor)) return visitor;
      if (!csrfValid(visitor, request)) {
        return ctx.views.error(
          'Request refused',
          'The form was not sent from your account page (CSRF check failed). Reload the account page and try again.',
          403,
        );
      }
      return action(engine, visitor, request);
    },
  };
}
