/** Every management route, by resource. */
import { apiRoutes } from './apis.js';
import { auditRoutes } from './audit.js';
import { auditSummaryRoutes } from './audit-summary.js';
import { clientRoutes } from './clients.js';
import { devToolRoutes } from './dev-tools.js';
import { identityProviderRoutes } from './identity-providers.js';
import { keyRoutes } from './keys.js';
import { mailRoutes } from './mail.js';
import { mfaRoutes } from './mfa.js';
import { registrationRoutes } from './registration.js';
import { roleRoutes } from './roles.js';
import { serviceAccountRoutes } from './service-accounts.js';
import { sessionRoutes } from './sessions.js';
import { tokenRoutes } from './tokens.js';
import { userRoutes } from './users.js';

export const MANAGEMENT_ROUTES = [
  ...apiRoutes,
  ...clientRoutes,
  ...userRoutes,
  ...mfaRoutes,
  ...sessionRoutes,
  ...roleRoutes,
  ...serviceAccountRoutes,
  ...tokenRoutes,
  ...keyRoutes,
  ...auditSummaryRoutes,
  ...auditRoutes,
  ...devToolRoutes,
  ...mailRoutes,
  ...identityProviderRoutes,
  ...registrationRoutes,
];
