// @ts-check
/** The console's pages, in the order of the navigation; `name` is the #hash. */
import * as apis from './apis.js';
import * as applications from './applications.js';
import * as audit from './audit.js';
import * as devTools from './dev-tools.js';
import * as identityProviders from './identity-providers.js';
import * as keys from './keys.js';
import * as mail from './mail.js';
import * as overview from './overview.js';
import * as roles from './roles.js';
import * as serviceAccounts from './service-accounts.js';
import * as tokens from './tokens.js';
import * as users from './users.js';

/** @typedef {{ name: string, title: string, render: (context: import('../main.js').Context) => Promise<void> }} Page */

/** @type {Page[]} */
export const PAGES = [
  { name: '', title: 'Overview', render: overview.render },
  { name: 'apis', title: 'APIs', render: apis.render },
  { name: 'applications', title: 'Applications', render: applications.render },
  { name: 'users', title: 'Users', render: users.render },
  { name: 'roles', title: 'Roles', render: roles.render },
  { name: 'service-accounts', title: 'Service accounts', render: serviceAccounts.render },
  { name: 'identity-providers', title: 'Identity providers', render: identityProviders.render },
  { name: 'tokens', title: 'Tokens', render: tokens.render },
  { name: 'keys', title: 'Signing keys', render: keys.render },
  { name: 'mail', title: 'Mail', render: mail.render },
  { name: 'audit', title: 'Audit log', render: audit.render },
  { name: 'dev-tools', title: 'Developer tools', render: devTools.render },
];
