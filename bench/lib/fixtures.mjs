/**
 * What both servers are configured with, so they answer the same requests: one
 * confidential client (client_secret_basic, client_credentials only) and two APIs
 * (resource servers), one with ES256 JWT access tokens and one with opaque reference
 * tokens, both with a one-hour lifetime and the same two scopes.
 */
export const CLIENT_ID = 'bench-client';
export const CLIENT_SECRET = 'bench-client-secret-0123456789abcdef';
export const BASIC = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;

export const JWT_API = 'https://api.bench.example/jwt';
export const REF_API = 'https://api.bench.example/reference';
export const SCOPES = ['read:things', 'write:things'];
export const TOKEN_TTL = 3600;

/** Tessera's declarative configuration (README "The configuration file"). */
export function tesseraConfigYaml() {
  const scopes = SCOPES.map((s) => `      - ${s}`).join('\n');
  return `# Written by bench/run.mjs
apis:
  - identifier: ${JWT_API}
    name: Bench JWT API
    format: jwt
    alg: ES256
    ttl: ${TOKEN_TTL}
    scopes:
${scopes}
  - identifier: ${REF_API}
    name: Bench reference-token API
    format: reference
    ttl: ${TOKEN_TTL}
    scopes:
${scopes}

clients:
  - clientId: ${CLIENT_ID}
    name: Bench client
    type: confidential
    tokenEndpointAuthMethod: client_secret_basic
    secrets: [${CLIENT_SECRET}]
    grantTypes: [client_credentials]
    api: ${JWT_API}
    scopes: [${SCOPES.join(', ')}]
    permissions:
      ${REF_API}: [${SCOPES.join(', ')}]
`;
}

/** The form body of a client_credentials request for `api`. */
export function tokenRequestBody(api) {
  return new URLSearchParams({ grant_type: 'client_credentials', resource: api, scope: SCOPES[0] }).toString();
}
