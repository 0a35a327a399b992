// @ts-check
/** Mail: invite a person by email, and the outbox (what waits, what was sent, what failed and why, with Retry). */
import { call } from '../api.js';
import { button, dataTable, h, header, problem, replace, time } from '../dom.js';

/** @param {import('../main.js').Context} context */
export async function render({ main, rerender }) {
  let outbox;
  try {
    outbox = (await call('GET', '/mail/outbox', { query: { limit: '200' } })).body;
  } catch (error) {
    replace(main, header('Mail', 'Password reset, verification, invitations and sign-up by email.'), problem(error));
    return;
  }
  const out = h('div', { class: 'editor' });
  const email = h('input', { type: 'email', id: 'invite-email', required: true, placeholder: 'person@example.com' });
  const roles = h('input', { type: 'text', id: 'invite-roles', placeholder: 'roles, separated by spaces' });
  const invite = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: async (/** @type {Event} */ event) => {
        event.preventDefault();
        const list = /** @type {HTMLInputElement} */ (roles).value.split(/[\s,]+/).filter(Boolean);
        try {
          const { body } = await call('POST', '/invitations', { body: { email: /** @type {HTMLInputElement} */ (email).value, roles: list } });
          replace(
            out,
            h(
              'p',
              { class: 'notice success', role: 'status' },
              `Invitation sent to ${body.user.email}; the link works until ${new Date(body.expiresAt * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
            ),
          );
        } catch (error) {
          replace(out, problem(error));
        }
      },
    },
    h('label', { for: 'invite-email' }, 'Invite by email'),
    email,
    h('label', { for: 'invite-roles' }, 'Roles'),
    roles,
    h('button', { type: 'submit', class: 'primary' }, 'Send invitation'),
  );
  const { counts } = outbox;
  replace(
    main,
    header(
      'Mail',
      `Messages wait in the outbox until the mail server takes them; failed attempts are retried with growing waits. Pending ${counts.pending}, sent ${counts.sent}, failed ${counts.failed}.`,
    ),
    invite,
    out,
    dataTable({
      caption: 'Outbox, newest first',
      rows: outbox.items,
      empty: 'No mail yet.',
      columns: [
        { label: 'To', value: (m) => m.recipient },
        { label: 'Kind', value: (m) => m.kind },
        { label: 'Status', value: (m) => h('span', { class: `badge ${m.status === 'sent' ? 'ok' : m.status === 'failed' ? 'off' : ''}` }, m.status) },
        { label: 'Attempts', value: (m) => String(m.attempts) },
        { label: 'Queued', value: (m) => time(m.createdAt) },
        { label: 'Last error', value: (m) => m.lastError ?? '' },
        {
          label: '',
          value: (m) =>
            m.status === 'failed'
              ? button('Retry', async () => {
                  try {
                    await call('POST', `/mail/outbox/${encodeURIComponent(m.id)}/retry`, {});
                    rerender();
                  } catch (error) {
                    replace(out, problem(error));
                  }
                })
              : '',
        },
      ],
    }),
  );
}
