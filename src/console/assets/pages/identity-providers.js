// @ts-check
/** Identity providers: upstream OpenID Connect and OAuth 2 providers users sign in with. */
import { renderCrudPage, saveItem } from '../crud-page.js';
import { chips, h } from '../dom.js';
import { formView } from '../forms.js';

/** "groups=admins: admin auditor" per line, to the API's roleMappings. @param {string[]} lines */
function parseRules(lines) {
  return lines.map((line) => {
    const match = /^([^=]+)=([^:]*):(.*)$/.exec(line);
    if (!match) throw new Error(`role rule "${line}": write claim=value: role role`);
    return { claim: match[1].trim(), value: match[2].trim(), roles: match[3].trim().split(/\s+/).filter(Boolean) };
  });
}

/**
 * @param {any} provider
 * @param {string | undefined} etag
 * @param {() => void} done
 */
function editor(provider, etag, done) {
  return formView({
    title: provider ? `Edit ${provider.name}` : 'New identity provider',
    submit: provider ? 'Save' : 'Add provider',
    cancel: done,
    fields: [
      { name: 'id', label: 'Id', value: provider?.id, required: true, hint: 'Lower-case letters, digits and "-": in the redirect URI and in idp=' },
      { name: 'name', label: 'Name', value: provider?.name, required: true, hint: 'The button says "Sign in with NAME"' },
      {
        name: 'type',
        label: 'Type',
        type: 'select',
        value: provider?.type ?? 'oidc',
        options: [
          ['oidc', 'OpenID Connect'],
          ['oauth2', 'OAuth 2 (GitHub-style)'],
        ],
      },
      { name: 'issuer', label: 'Issuer (OpenID Connect)', type: 'url', value: provider?.issuer },
      { name: 'authorizationEndpoint', label: 'Authorization endpoint (OAuth 2)', type: 'url', value: provider?.authorizationEndpoint },
      { name: 'tokenEndpoint', label: 'Token endpoint (OAuth 2)', type: 'url', value: provider?.tokenEndpoint },
      { name: 'userinfoEndpoint', label: 'Userinfo URL (OAuth 2)', type: 'url', value: provider?.userinfoEndpoint },
      { name: 'subject', label: 'Subject field (OAuth 2)', value: provider?.mapping?.subject, hint: 'GitHub: id' },
      { name: 'clientId', label: 'Client id', value: provider?.clientId, required: true },
      {
        name: 'clientSecret',
        label: 'Client secret',
        type: 'password',
        hint: provider?.hasClientSecret ? 'Set; leave empty to keep it' : 'Stored encrypted, never shown again',
      },
      {
        name: 'clientAuthMethod',
        label: 'Client authentication',
        type: 'select',
        value: provider?.clientAuthMethod ?? 'client_secret_basic',
        options: [
          ['client_secret_basic', 'client_secret_basic'],
          ['client_secret_post', 'client_secret_post'],
          ['none', 'none (PKCE only)'],
        ],
      },
      { name: 'scopes', label: 'Scopes', value: provider?.scopes?.join(' '), hint: 'Space-separated; empty: openid profile email for OpenID Connect' },
      {
        name: 'roleMappings',
        label: 'Role rules',
        type: 'lines',
        value: (provider?.roleMappings ?? []).map((/** @type {any} */ r) => `${r.claim}=${r.value}: ${r.roles.join(' ')}`),
        hint: 'One per line: groups=admins: admin',
      },
      { name: 'userinfo', label: 'Also read userinfo', type: 'checkbox', value: provider?.userinfo ?? false },
      { name: 'trustEmail', label: 'Link existing accounts by verified email', type: 'checkbox', value: provider?.trustEmail ?? false },
      { name: 'enabled', label: 'Enabled', type: 'checkbox', value: provider?.enabled ?? true },
    ],
    async onSubmit(v) {
      /** @type {Record<string, unknown>} */
      const body = {
        id: v.id,
        name: v.name,
        type: v.type,
        clientId: v.clientId,
        clientAuthMethod: v.clientAuthMethod,
        userinfo: v.userinfo,
        trustEmail: v.trustEmail,
        enabled: v.enabled,
        roleMappings: parseRules(/** @type {string[]} */ (v.roleMappings)),
        mapping: { ...(provider?.mapping ?? {}), ...(v.subject ? { subject: v.subject } : {}) },
        attributes: provider?.attributes ?? {},
      };
      for (const key of ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint', 'clientSecret']) if (v[key]) body[key] = v[key];
      if (v.scopes) body.scopes = String(v.scopes).split(/\s+/).filter(Boolean);
      await saveItem('/identity-providers', provider?.id, etag, body);
      done();
    },
  });
}

/** @param {import('../main.js').Context} context */
export function render(context) {
  return renderCrudPage(context, {
    path: '/identity-providers',
    title: 'Identity providers',
    intro: "Upstream providers users sign in with. Register each one's redirect URI at the provider.",
    newLabel: 'New provider',
    empty: 'No identity providers yet.',
    idOf: (p) => p.id,
    nameOf: (p) => p.name,
    confirmDelete: (p) => `Delete ${p.name}? Users linked only through it can no longer sign in.`,
    columns: [
      { label: 'Name', value: (p) => h('span', {}, h('strong', {}, p.name), ' ', h('code', {}, p.id)) },
      { label: 'Type', value: (p) => (p.type === 'oidc' ? 'OpenID Connect' : 'OAuth 2') },
      { label: 'Redirect URI', value: (p) => h('code', {}, p.redirectUri) },
      { label: 'Scopes', value: (p) => chips(p.scopes) },
      { label: 'Enabled', value: (p) => (p.enabled ? 'yes' : 'no') },
    ],
    editor,
  });
}
