// @ts-check
/**
 * A user's second factors in the console (kind, when added, when last used; never a
 * secret), the recovery codes left, and "Reset factors" (DELETE /users/{id}/mfa,
 * audited by the server as mfa.removed); and the server's MFA policy, which is read-only
 * here because it is the configuration file's server.mfa.
 */
import { call, seg } from '../api.js';
import { button, chips, confirmed, dataTable, h, problem, replace, time } from '../dom.js';

/** What each kind of factor is, in words; an unknown kind shows as it is. @type {Record<string, string>} */
const KINDS = { totp: 'Authenticator app (one-time codes)', webauthn: 'Passkey' };

/**
 * @param {any} user
 * @param {HTMLElement} slot
 * @param {string} [message] shown after the panel, e.g. what a reset did
 */
export async function factorsPanel(user, slot, message) {
  const mfa = (await call('GET', `/users/${seg(user.id)}/mfa`)).body;
  const out = h('div', {}, message ? h('p', { class: 'notice', role: 'status' }, message) : null);
  const title = `Second factors of ${user.username}`;
  const hasSomething = mfa.factors.length > 0 || mfa.recoveryCodes.total > 0;
  replace(
    slot,
    h(
      'section',
      { class: 'panel', 'aria-label': title },
      h('h2', {}, title),
      h(
        'p',
        {},
        mfa.required
          ? `Policy requires a second factor from ${user.username}.`
          : `Policy does not require a second factor from ${user.username} (clients with "Require a second factor" still do).`,
      ),
      dataTable({
        caption: 'Second factors',
        rows: mfa.factors,
        empty: `${user.username} has no second factor.`,
        columns: [
          { label: 'Kind', value: (f) => KINDS[f.type] ?? f.type },
          { label: 'Name', value: (f) => f.name },
          { label: 'Added', value: (f) => time(f.createdAt) },
          { label: 'Last used', value: (f) => (f.lastUsedAt === undefined ? 'never' : time(f.lastUsedAt)) },
        ],
      }),
      h('p', {}, mfa.recoveryCodes.total === 0 ? 'No recovery codes.' : `Recovery codes: ${mfa.recoveryCodes.remaining} of ${mfa.recoveryCodes.total} left.`),
      h(
        'div',
        { class: 'row-actions' },
        hasSomething
          ? button(
              'Reset factors',
              async () => {
                if (
                  !confirmed(
                    `Reset the second factors of ${user.username}? Their factors and recovery codes are removed: they sign in with their password${mfa.required ? ' and must set a factor up again' : ''}.`,
                  )
                )
                  return;
                try {
                  const removed = (await call('DELETE', `/users/${seg(user.id)}/mfa`)).body.removed;
                  await factorsPanel(user, slot, `Removed ${removed} factor(s) and the recovery codes of ${user.username}.`);
                } catch (error) {
                  replace(out, problem(error));
                }
              },
              { kind: 'danger' },
            )
          : null,
        button('Close', () => replace(slot)),
      ),
      out,
    ),
  );
}

/** The MFA policy in one sentence, with the roles it names. @param {{ everyone: boolean, roles: string[] }} policy */
export function policySummary(policy) {
  return h(
    'section',
    { class: 'panel', 'aria-label': 'Second-factor policy' },
    h('h2', {}, 'Second-factor policy'),
    policy.everyone
      ? h('p', {}, 'Everyone must sign in with a second factor.')
      : policy.roles.length > 0
        ? h('p', {}, 'Holders of these roles must sign in with a second factor: ', chips(policy.roles))
        : h('p', {}, 'Nobody must: only users who set a factor up, and clients that require one, use a second factor.'),
    h(
      'p',
      { class: 'muted' },
      'Set in the configuration file (server.mfa.required: none, admins or everyone; server.mfa.roles), read at start: not changeable here. See docs/mfa.md.',
    ),
  );
}
