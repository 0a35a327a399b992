/**
 * Scenario c: introspection of one reference token by the client that obtained it,
 * the lookup a resource server makes on every call it does not cache.
 */
import { REF_API, tokenRequestBody } from '../lib/fixtures.mjs';
import { check, post } from '../lib/requests.mjs';

export const introspect = {
  id: 'introspect',
  title: 'c. introspection of a reference token (the client that obtained it, client_secret_basic)',
  servers: ['tessera', 'oidc-provider', 'oidc-provider-sqlite'],
  async prepare(url, endpoints) {
    const minted = await post(url, endpoints.token, tokenRequestBody(REF_API));
    check(minted.status === 200 && typeof minted.body.access_token === 'string', 'POST /token answers 200 with an access_token', minted);
    const body = new URLSearchParams({ token: minted.body.access_token }).toString();
    const r = await post(url, endpoints.introspection, body);
    check(r.status === 200 && r.body.active === true, 'POST /introspect answers 200 {"active":true,...}', r);
    check(r.body.aud === REF_API || (Array.isArray(r.body.aud) && r.body.aud.includes(REF_API)), `introspection aud is ${REF_API}`, r);
    return { path: endpoints.introspection, body, verify: 'active', sample: { response: r.body } };
  },
};
