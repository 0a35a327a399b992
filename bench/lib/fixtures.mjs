/**
 * What both servers are configured with, so they answer the same requests: one
 * confidential client (client_secret_basic, client_credentials only) and two APIs
 * (resource servers), one with ES256 JWT access tokens and one with opaque reference
 * tokens, both with a one-hour lifetime and the same two scopes.
 */
import { scryptSync } from 'node:crypto';

export const CLIENT_ID = 'bench-client';
export const CLIENT_SECRET = 'bench-client-secret-0123456789abcdef';
export const BASIC = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;

export const JWT_API = 'https://api.bench.example/jwt';
export const REF_API = 'https://api.bench.example/reference';
export const SCOPES = ['read:things', 'write:things'];
export const TOKEN_TTL = 3600;

/**
 * The authorization-code flow: one user who signs in with a password, and one
 * confidential web client with PKCE, asking for `openid read:things` on the JWT API.
 */
export const USERNAME = 'bench-user';
export const PASSWORD = 'bench-user-password-0123';
export const WEB_CLIENT_ID = 'bench-web';
export const WEB_CLIENT_SECRET = 'bench-web-secret-0123456789abcdef';
export const WEB_BASIC = `Basic ${Buffer.from(`${encodeURIComponent(WEB_CLIENT_ID)}:${encodeURIComponent(WEB_CLIENT_SECRET)}`).toString('base64')}`;
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
export const FLOW_SCOPE = `openid ${SCOPES[0]}`;
export const PAT_ROLE = 'bench-role';

/** A resource server's client: it introspects any token (PATs carry no client of their own). */
export const RS_CLIENT_ID = 'bench-rs';
export const RS_CLIENT_SECRET = 'bench-rs-secret-0123456789abcdef';
export const RS_BASIC = `Basic ${Buffer.from(`${encodeURIComponent(RS_CLIENT_ID)}:${encodeURIComponent(RS_CLIENT_SECRET)}`).toString('base64')}`;

/**
 * Tessera's default password hash parameters (src/core/crypto/password.ts): scrypt
 * N=2^15, r=8, p=1, 32-byte key. Both servers verify this same stored hash at sign-in.
 */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 };
const SALT = Buffer.from('tessera-bench-salt-0123');
export const PASSWORD_HASH = `scrypt$N=${SCRYPT.N},r=${SCRYPT.r},p=${SCRYPT.p}$${SALT.toString('base64url')}$${scryptSync(PASSWORD, SALT, SCRYPT.keyLength, {
  N: SCRYPT.N,
  r: SCRYPT.r,
  p: SCRYPT.p,
  maxmem: 256 * SCRYPT.N * SCRYPT.r,
}).toString('base64url')}`;

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
  - clientId: ${WEB_CLIENT_ID}
    name: Bench web app
    type: confidential
    tokenEndpointAuthMethod: client_secret_basic
    secrets: [${WEB_CLIENT_SECRET}]
    grantTypes: [authorization_code]
    redirectUris: [${REDIRECT_URI}]
    requirePkce: true
    api: ${JWT_API}
    scopes: [${SCOPES.join(', ')}]
  - clientId: ${RS_CLIENT_ID}
    name: Bench resource server
    type: confidential
    tokenEndpointAuthMethod: client_secret_basic
    secrets: [${RS_CLIENT_SECRET}]
    grantTypes: [client_credentials]
    introspection: any

roles:
  - name: ${PAT_ROLE}
    permissions:
      ${REF_API}: [${SCOPES.join(', ')}]
      ${JWT_API}: [${SCOPES.join(', ')}]

users:
  - username: ${USERNAME}
    passwordHash: ${PASSWORD_HASH}
    roles: [${PAT_ROLE}]
`;
}

/** The form body of a client_credentials request for `api`. */
export function tokenRequestBody(api) {
  return new URLSearchParams({ grant_type: 'client_credentials', resource: api, scope: SCOPES[0] }).toString();
}
