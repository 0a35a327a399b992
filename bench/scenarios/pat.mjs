/**
 * Scenario d: introspection of a personal access token by a resource server, Tessera
 * only (the PAT is created by `tessera tokens create pat` before the server starts).
 */
import { RS_BASIC, USERNAME } from '../lib/fixtures.mjs';
import { check, post } from '../lib/requests.mjs';

export const pat = {
  id: 'pat',
  title: 'd. introspection of a personal access token (PAT) by a resource server (a client with introspection: any, client_secret_basic)',
  servers: ['tessera'],
  tessera: { pat: true },
  note: 'Tessera only: oidc-provider has no personal access tokens (nor any user-made long-lived credential), so there is nothing equivalent to compare',
  async prepare(url, endpoints, running) {
    const body = new URLSearchParams({ token: running.pat }).toString();
    const r = await post(url, endpoints.introspection, body, RS_BASIC);
    check(r.status === 200 && r.body.active === true, 'POST /introspect answers 200 {"active":true,...}', r);
    check(r.body.token_kind === 'personal_access_token' && r.body.username === USERNAME, `a PAT of ${USERNAME}`, r);
    return { path: endpoints.introspection, body, authorization: RS_BASIC, verify: 'active', sample: { response: r.body } };
  },
};
