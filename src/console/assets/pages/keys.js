// @ts-check
/** Signing keys: the published keys and their rotation. */
import { call } from '../api.js';
import { button, confirmed, dataTable, h, header, problem, replace, time } from '../dom.js';

/** @param {import('../main.js').Context} context */
export async function render({ main, rerender }) {
  const keys = (await call('GET', '/keys')).body.items;
  const out = h('div', { class: 'editor' });
  const rotate = button(
    'Rotate keys',
    async () => {
      if (!confirmed('Rotate the signing keys? The next key starts signing; the current one stays published until its tokens expire.')) return;
      try {
        await call('POST', '/keys/rotate', { body: {} });
        rerender();
      } catch (error) {
        replace(out, problem(error));
      }
    },
    { kind: 'primary' },
  );
  replace(
    main,
    header(
      'Signing keys',
      'The keys that sign JWTs, published at /jwks. Each algorithm has a current key, the next one (published ahead) and retired ones kept until their tokens expire.',
      rotate,
    ),
    out,
    dataTable({
      caption: 'Signing keys',
      rows: keys,
      empty: 'No signing keys: they are created at the first start.',
      columns: [
        { label: 'Key id', value: (k) => h('code', {}, k.kid) },
        { label: 'Algorithm', value: (k) => k.alg },
        { label: 'Status', value: (k) => h('span', { class: `badge ${k.status === 'current' ? 'ok' : k.status === 'retired' ? 'off' : ''}` }, k.status) },
        { label: 'Created', value: (k) => time(k.createdAt) },
        { label: 'Removed after', value: (k) => time(k.removeAfter) },
      ],
    }),
  );
}
