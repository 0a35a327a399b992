/**
 * Scenario b: client_credentials for an API with opaque reference tokens, each one
 * stored (durably: SQLite for Tessera, memory or SQLite for oidc-provider).
 */
import { REF_API, tokenRequestBody } from '../lib/fixtures.mjs';
import { check, post } from '../lib/requests.mjs';

export const reference = {
  id: 'reference',
  title: 'b. client_credentials -> stored reference (opaque) token, client_secret_basic',
  servers: ['tessera', 'oidc-provider', 'oidc-provider-sqlite'],
  async prepare(url, endpoints) {
    const body = tokenRequestBody(REF_API);
    const r = await post(url, endpoints.token, body);
    check(r.status === 200 && typeof r.body.access_token === 'string', 'POST /token answers 200 with an access_token', r);
    check(r.body.access_token.split('.').length !== 3, 'the access token is opaque, not a JWT', r);
    return { path: endpoints.token, body, verify: 'token', sample: { bytes: r.body.access_token.length } };
  },
};
