/**
 * Scenario a: client_credentials for an API with ES256 JWT access tokens, the
 * token-path figure (one signature a token, no storage). Checks first that each
 * server answers an ES256 `at+jwt` for the API.
 */
import { JWT_API, tokenRequestBody } from '../lib/fixtures.mjs';
import { check, jwtParts, post } from '../lib/requests.mjs';

export const jwt = {
  id: 'jwt',
  title: 'a. client_credentials -> JWT access token (ES256), client_secret_basic',
  servers: ['tessera', 'oidc-provider'],
  async prepare(url, endpoints) {
    const body = tokenRequestBody(JWT_API);
    const r = await post(url, endpoints.token, body);
    check(r.status === 200 && typeof r.body.access_token === 'string', 'POST /token answers 200 with an access_token', r);
    const { header, payload } = jwtParts(r.body.access_token);
    check(header.alg === 'ES256' && header.typ === 'at+jwt', `JWT header is ES256 at+jwt (got ${JSON.stringify(header)})`, r);
    check(payload.aud === JWT_API, `JWT aud is ${JWT_API}`, r);
    return { path: endpoints.token, body, verify: 'jwt', sample: { header, claims: Object.keys(payload).sort(), bytes: r.body.access_token.length } };
  },
};
