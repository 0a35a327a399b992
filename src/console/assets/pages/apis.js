// @ts-check
/** APIs (resource servers) and their scopes. */
import { renderCrudPage, saveItem } from '../crud-page.js';
import { chips, h } from '../dom.js';
import { formView } from '../forms.js';

/** @param {any} api */
const scopeLines = (api) => (api?.scopes ?? []).map((/** @type {any} */ s) => (s.description ? `${s.name} = ${s.description}` : s.name));

/** @param {unknown} lines */
function parseScopes(lines) {
  return /** @type {string[]} */ (lines ?? []).map((line) => {
    const at = line.indexOf('=');
    return at < 0 ? { name: line.trim(), description: '' } : { name: line.slice(0, at).trim(), description: line.slice(at + 1).trim() };
  });
}

/**
 * @param {any} api
 * @param {string | undefined} etag
 * @param {() => void} done
 */
function editor(api, etag, done) {
  return formView({
    title: api ? `Edit ${api.identifier}` : 'New API',
    submit: api ? 'Save' : 'Create API',
    cancel: done,
    fields: [
      {
        name: 'identifier',
        label: 'Identifier (the token audience)',
        type: 'url',
        value: api?.identifier,
        required: true,
        hint: 'An absolute URI, e.g. https://api.example.com',
        placeholder: 'https://api.example.com',
      },
      { name: 'name', label: 'Name', value: api?.name, required: true },
      { name: 'scopes', label: 'Scopes', type: 'lines', value: scopeLines(api), hint: 'One per line: name, or name = description' },
      {
        name: 'format',
        label: 'Token format',
        type: 'select',
        options: [
          ['jwt', 'JWT (verified locally)'],
          ['reference', 'Reference (opaque, introspected)'],
        ],
        value: api?.format ?? 'jwt',
      },
      { name: 'ttl', label: 'Token lifetime', value: api ? String(api.ttl) : '1h', hint: 'Seconds, or 90s, 15m, 1h, 30d' },
      { name: 'alg', label: 'Signing algorithm', type: 'select', options: ['ES256', 'RS256', 'EdDSA'], value: api?.alg ?? 'ES256' },
    ],
    async onSubmit(v) {
      const ttl = /^\d+$/.test(String(v.ttl ?? '')) ? Number(v.ttl) : v.ttl;
      const body = {
        identifier: v.identifier,
        name: v.name,
        scopes: parseScopes(v.scopes),
        format: v.format,
        alg: v.alg,
        ...(ttl !== undefined ? { ttl } : {}),
      };
      await saveItem('/apis', api?.identifier, etag, body);
      done();
    },
  });
}

/** @param {import('../main.js').Context} context */
export function render(context) {
  return renderCrudPage(context, {
    path: '/apis',
    title: 'APIs',
    intro: 'The APIs tokens are issued for: each identifier is a token audience, with the scopes it defines.',
    newLabel: 'New API',
    empty: 'No APIs yet. Create one to issue tokens for it.',
    idOf: (a) => a.identifier,
    nameOf: (a) => a.identifier,
    confirmDelete: (a) => `Delete the API ${a.identifier}? Clients and roles lose their permissions on it.`,
    columns: [
      { label: 'Identifier', value: (a) => h('code', {}, a.identifier) },
      { label: 'Name', value: (a) => a.name },
      { label: 'Scopes', value: (a) => chips(a.scopes.map((/** @type {any} */ s) => s.name)) },
      { label: 'Format', value: (a) => `${a.format}, ${a.alg}, ${a.ttl}s` },
    ],
    editor,
  });
}
