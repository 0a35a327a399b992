/**
 * The routes of the mail flows, each present only when its flow is on. Paths that
 * carry a link token are marked secret, so the request log names the route, not the token.
 */
import type { AuthorizationServer } from '../core/authorization-server.js';
import type { Route } from './routes.js';
import { BrowserForms } from '../lifecycle/browser-form.js';
import { mailFlowPages } from '../lifecycle/mail-flow-pages.js';
import { passwordResetPages } from '../lifecycle/password-reset-pages.js';

const TOKEN = '(?<token>[\\w-]{43})';

export function mailRoutes(engine: AuthorizationServer): Route[] {
  const mail = engine.mail;
  if (!mail) return [];
  const forms = new BrowserForms(engine.hasher);
  const reset = passwordResetPages(engine, mail, forms);
  const flows = mailFlowPages(engine, mail, forms);
  const page = (pattern: RegExp, handler: Route['handler'], secretPath = false): Route => ({
    pattern,
    methods: ['GET', 'POST'],
    kind: 'page',
    cors: false,
    handler,
    ...(secretPath ? { secretPath } : {}),
  });
  const { features } = mail;
  return [
    ...(features.passwordReset ? [page(/^\/password\/forgot$/, reset.forgot), page(new RegExp(`^/password/reset/${TOKEN}$`), reset.reset, true)] : []),
    // Links already sent keep working after verification is turned off.
    page(new RegExp(`^/email/verify/${TOKEN}$`), flows.verify, true),
    ...(features.invitations ? [page(new RegExp(`^/invitation/${TOKEN}$`), flows.invitation, true)] : []),
    ...(features.signUp.enabled ? [page(/^\/sign-up$/, flows.signUp)] : []),
  ];
}
