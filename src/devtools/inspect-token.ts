/**
 * Token inspection (`tessera dev inspect`, the console's developer tools): what a token is, whether it is valid, and why (not).
 *
 * Decoding needs nothing: the format (JWT, `tsr_` opaque token, 40-hex user or action
 * token), a JWT's header and claims, an opaque token's prefix and checksum, which is
 * checked exactly as servers and the SDK check it (packages/resource-server/src/shared/token-string-check.ts).
 *
 * The verdict comes from the engine's TokenInspector when the store is local (the
 * check introspection runs, minus the last-use write), with the reasons read from the
 * stored record: revoked at, expired at, refresh token already used, grant revoked,
 * owner gone or inactive; for JWTs, the key id, signature, issuer, expiry and the
 * revocation list. Through a server, a JWT is checked against the server's JWKS and
 * issuer; anything else needs the server's introspection endpoint, which takes client
 * credentials (--client and its secret), and answers only "active" or "not active".
 */
import { createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { inspectTokenString, isHexKey, TOKEN_CHECKSUM_CHARS, TOKEN_PAYLOAD_CHARS, TOKEN_PREFIXES } from '@tessera/resource-server/shared';
import type { AuthorizationServer } from '../core/authorization-server.js';
import { UsageRecorder } from '../core/credentials/usage-recorder.js';
import { describeActiveToken } from '../core/endpoints/introspect.js';
import { ALGORITHMS } from '../core/keys/algorithms.js';
import { OwnJwtVerifier } from '../core/keys/verify-own-jwt.js';
import { MANUAL_TOKEN_KINDS, NEVER, SIGNING_ALGS, type SigningAlg, type StoredToken } from '../core/model.js';
import { isGrantRevoked } from '../core/tokens/grant-revocation.js';
import { findStoredToken } from '../core/tokens/stored-token-key.js';
import { TokenInspector } from '../core/tokens/token-inspector.js';
import { getJson, postForm } from './server-calls.js';
import { relativeTime, when } from './time-words.js';

export interface Inspection {
  /** The token with its middle hidden. */
  token: string;
  format: 'jwt' | 'opaque' | 'hex' | 'unknown';
  /** What it is, in words. */
  kind?: string;
  prefix?: string;
  checksum?: 'valid' | 'invalid';
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** The stored record (opaque and hex tokens, local store), without the hash. */
  record?: Record<string, unknown>;
  /** RFC 7662 introspection: the server's, or the same answer computed locally. */
  introspection?: Record<string, unknown>;
  /** true: valid; false: not; null: could not tell. */
  valid: boolean | null;
  /** Why not valid (or why it could not be told). */
  reasons: string[];
  notes: string[];
}

const KIND_OF_PREFIX: Record<string, string> = {
  [TOKEN_PREFIXES.access_token]: 'access token (reference format)',
  [TOKEN_PREFIXES.refresh_token]: 'refresh token',
  [TOKEN_PREFIXES.authorization_code]: 'authorization code',
  [TOKEN_PREFIXES.personal_access_token]: 'personal access token (PAT)',
  [TOKEN_PREFIXES.service_access_token]: 'service access token (SAT)',
};

function mask(token: string): string {
  if (token.length <= 16) return token;
  const prefix = /^tsr_[a-z]+_/.exec(token)?.[0] ?? '';
  return `${token.slice(0, prefix.length + 4)}…${token.slice(-4)}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the facts come from: the engine in this process, or a server (its issuer URL)
 * with optional client credentials for its introspection endpoint.
 */
export type InspectSource =
  | { engine: AuthorizationServer; server?: undefined; client?: undefined }
  | { engine?: undefined; server: string; client?: { id: string; secret: string } };

export async function inspectToken(raw: string, source: InspectSource): Promise<Inspection> {
  const notes: string[] = [];
  let token = raw.trim();
  const scheme = /^(Bearer|Token|ActionToken)\s+(\S+)$/i.exec(token);
  if (scheme) {
    token = scheme[2]!;
    notes.push(`read the token after "${scheme[1]}"`);
  }
  const result: Inspection = { token: mask(token), format: 'unknown', valid: false, reasons: [], notes };
  if (token.startsWith('tsr_')) return inspectOpaque(token, result, source);
  if (isHexKey(token)) {
    result.format = 'hex';
    result.kind = 'user token or action token (Authorization: Token / ActionToken)';
    return lookUp(token, result, source);
  }
  if (/^[0-9a-fA-F]{40}$/.test(token)) {
    result.format = 'hex';
    result.reasons.push('uppercase hex: user and action tokens are 40 lowercase hex characters');
    return result;
  }
  const parts = token.split('.');
  if (parts.length === 3) return inspectJwt(token, parts as [string, string, string], result, source);
  result.reasons.push(
    /^[0-9a-f]+$/i.test(token)
      ? `${token.length} hex characters: user and action tokens have 40`
      : 'not a token Tessera issues: neither a JWT (three dot-separated parts), a tsr_ token, nor a 40-hex user or action token',
  );
  return result;
}

async function inspectOpaque(token: string, result: Inspection, source: InspectSource): Promise<Inspection> {
  result.format = 'opaque';
  const prefix = Object.values(TOKEN_PREFIXES).find((p) => token.startsWith(p));
  if (prefix) {
    result.prefix = prefix;
    result.kind = KIND_OF_PREFIX[prefix]!;
  }
  const check = inspectTokenString(token);
  if (!check.ok) {
    if (check.reason === 'bad_checksum') {
      result.checksum = 'invalid';
      result.reasons.push(
        `wrong checksum: the last ${TOKEN_CHECKSUM_CHARS} characters do not match the rest, so the token was mistyped, truncated or altered; servers and the SDK refuse it without looking it up`,
      );
    } else if (check.reason === 'bad_length' && prefix) {
      const expected = prefix.length + TOKEN_PAYLOAD_CHARS + TOKEN_CHECKSUM_CHARS;
      result.reasons.push(`wrong length: a ${prefix} token has ${expected} characters, this one has ${token.length} (truncated, or characters added)`);
    } else {
      const shape = /^tsr_[a-z]+_/.exec(token)?.[0];
      result.reasons.push(
        shape && !prefix
          ? `unknown prefix ${shape}: Tessera's are ${Object.values(TOKEN_PREFIXES).join(', ')}`
          : 'malformed: a Tessera token is tsr_<kind>_ followed by letters and digits only (a character was added, removed or changed)',
      );
    }
    return result;
  }
  result.checksum = 'valid';
  if (check.kind === 'authorization_code') {
    result.reasons.push('an authorization code is not a token: the client exchanges it once at /token, within minutes');
    return result;
  }
  return lookUp(token, result, source);
}

/** A no-op last-use recorder: inspecting a token is not using it. */
const notUsing = () => new UsageRecorder({ touchTokens: async () => {} }, 0);

function inspectorOf(engine: AuthorizationServer): TokenInspector {
  return new TokenInspector({
    issuer: engine.issuer,
    jwts: new OwnJwtVerifier(engine.keys),
    store: engine.store,
    hasher: engine.hasher,
    clock: engine.clock,
    usage: notUsing(),
  });
}

/** The engine's verdict, as introspection would give it, and a note when it disagrees with the reasons found. */
async function verdictOf(engine: AuthorizationServer, token: string, result: Inspection): Promise<Inspection> {
  const active = await inspectorOf(engine).inspect(token);
  result.introspection = active ? describeActiveToken(engine.issuer, active) : { active: false };
  if (active && result.reasons.length > 0) result.notes.push('the server would accept it anyway: the reasons above are advisory');
  if (!active && result.reasons.length === 0) result.reasons.push('the server refuses it (no specific reason found)');
  result.valid = active !== undefined;
  return result;
}

async function lookUp(token: string, result: Inspection, source: InspectSource): Promise<Inspection> {
  const engine = source.engine;
  if (!engine) return introspectRemotely(token, result, source);
  const stored = await findStoredToken(engine.store, engine.hasher, token);
  if (!stored) {
    result.reasons.push(
      result.format === 'hex'
        ? 'unknown: no user or action token with this value is on record (never issued here, or issued under another master key)'
        : 'unknown: no token with this value is on record (never issued by this installation, issued under another master key, or its record was purged after it expired)',
    );
    return verdictOf(engine, token, result);
  }
  result.kind = stored.kind.replace(/_/g, ' ');
  result.record = await describeRecord(engine, stored);
  const now = engine.clock.now();
  if (stored.revokedAt !== undefined) result.reasons.push(`revoked at ${when(stored.revokedAt)} (${relativeTime(stored.revokedAt, now)})`);
  if (stored.expiresAt <= now) result.reasons.push(`expired at ${when(stored.expiresAt)} (${relativeTime(stored.expiresAt, now)})`);
  if (stored.kind === 'refresh_token' && stored.consumedAt !== undefined) {
    result.reasons.push(`already used at ${when(stored.consumedAt)}: refresh tokens rotate, each works once`);
  }
  if (await isGrantRevoked(engine.store, stored.grantId))
    result.reasons.push('its grant was revoked (a refresh token reused or revoked, or a code replayed): every token of the grant stopped');
  if (MANUAL_TOKEN_KINDS.includes(stored.kind)) {
    if (stored.kind === 'service_access_token') {
      const account = await engine.store.getServiceAccount(stored.subject);
      if (!account) result.reasons.push(`owner gone: service account ${stored.subject} no longer exists`);
      else if (!account.active) result.reasons.push(`owner inactive: service account ${account.name} is deactivated`);
    } else {
      const user = await engine.store.getUser(stored.subject);
      if (!user) result.reasons.push(`owner gone: user ${stored.subject} no longer exists`);
      else if (!user.active) result.reasons.push(`owner inactive: user ${user.username} is deactivated`);
    }
  }
  return verdictOf(engine, token, result);
}

async function describeRecord(engine: AuthorizationServer, stored: StoredToken): Promise<Record<string, unknown>> {
  const record: Record<string, unknown> = { kind: stored.kind, id: stored.jti, subject: stored.subject };
  const owner =
    stored.kind === 'service_access_token'
      ? (await engine.store.getServiceAccount(stored.subject))?.name
      : (await engine.store.getUser(stored.subject))?.username;
  if (owner !== undefined) record.owner = owner;
  if (typeof stored.details?.name === 'string') record.name = stored.details.name;
  if (stored.clientId) record.clientId = stored.clientId;
  if (stored.audience) record.api = stored.audience;
  record.scopes = stored.scope.split(' ').filter(Boolean);
  if (Array.isArray(stored.details?.endpoints)) record.endpoints = stored.details.endpoints;
  record.issuedAt = stored.issuedAt;
  if (stored.expiresAt !== NEVER) record.expiresAt = stored.expiresAt;
  if (stored.lastUsedAt !== undefined) record.lastUsedAt = stored.lastUsedAt;
  if (stored.revokedAt !== undefined) record.revokedAt = stored.revokedAt;
  return record;
}

async function introspectRemotely(token: string, result: Inspection, source: InspectSource): Promise<Inspection> {
  const server = source.server!;
  if (!source.client) {
    result.valid = null;
    result.reasons.push(
      'not checked: through a server, only its introspection endpoint can tell whether this token is active; give --client ID (a client allowed to introspect) with its secret in TESSERA_CLIENT_SECRET or --client-secret-stdin, or inspect it against the local store',
    );
    return result;
  }
  const answer = await postForm(server, '/introspect', source.client.id, source.client.secret, { token });
  result.introspection = answer;
  if (answer.active === true) {
    result.valid = true;
    return result;
  }
  result.valid = false;
  result.reasons.push(
    `the server says it is not active: expired, revoked, unknown, or its owner is inactive (introspection does not say which; inspect it against the server's store to learn why). A client registered with introspection "own" sees only its own tokens as active; ${source.client.id} may be one`,
  );
  return result;
}

async function inspectJwt(token: string, parts: [string, string, string], result: Inspection, source: InspectSource): Promise<Inspection> {
  result.format = 'jwt';
  const header = decodeSegment(parts[0]);
  const claims = decodeSegment(parts[1]);
  if (!header || !claims) {
    result.reasons.push(`malformed JWT: the ${!header ? 'header' : 'claims'} part is not base64url-encoded JSON`);
    return result;
  }
  result.header = header;
  result.claims = claims;
  if (header.typ === 'at+jwt') result.kind = 'JWT access token (RFC 9068)';
  else {
    const idToken = 'nonce' in claims || 'azp' in claims || 'at_hash' in claims || 'auth_time' in claims;
    result.kind = idToken ? 'ID token' : `JWT of type ${String(header.typ ?? 'none')}`;
    result.reasons.push(
      idToken
        ? 'an ID token tells a client who signed in; it is not an access token, and APIs must refuse it'
        : `typ is ${JSON.stringify(header.typ ?? null)}, not "at+jwt": not an access token Tessera issued`,
    );
    return result;
  }
  const engine = source.engine;
  let jwks: { keys: Record<string, unknown>[] };
  let issuer: string;
  if (engine) {
    jwks = engine.keys.jwks();
    issuer = engine.issuer;
  } else {
    const server = source.server!;
    const discovery = (await getJson(`${server}/.well-known/openid-configuration`)) as { issuer?: string; jwks_uri?: string };
    issuer = String(discovery.issuer ?? server);
    jwks = (await getJson(String(discovery.jwks_uri ?? `${server}/jwks`))) as { keys: Record<string, unknown>[] };
  }
  const now = engine ? engine.clock.now() : nowSeconds();
  const kid = header.kid;
  const jwk = typeof kid === 'string' ? jwks.keys.find((k) => k.kid === kid) : undefined;
  if (typeof kid !== 'string') result.reasons.push('no key id (kid) in the header');
  else if (!jwk) {
    result.reasons.push(
      `unknown key id ${kid}: not one of ${engine ? "this installation's" : `${source.server}'s`} published signing keys (signed by another installation, or by a key retired and removed since)`,
    );
  } else if (jwk.alg !== header.alg || !SIGNING_ALGS.includes(header.alg as SigningAlg)) {
    result.reasons.push(`alg ${String(header.alg)} does not match key ${kid} (${String(jwk.alg)})`);
  } else if (!verifySignature(parts, jwk, header.alg as SigningAlg)) {
    result.reasons.push('bad signature: the token was altered after signing, or not signed with this key');
  }
  if (claims.iss !== issuer) result.reasons.push(`issued by ${String(claims.iss)}, but ${engine ? 'this installation' : 'the server'} is ${issuer}`);
  if (typeof claims.exp !== 'number') result.reasons.push('no expiry (exp)');
  else if (claims.exp <= now) result.reasons.push(`expired at ${when(claims.exp)} (${relativeTime(claims.exp, now)})`);
  if (engine) {
    if (typeof claims.jti === 'string' && (await engine.store.isJtiRevoked(claims.jti)))
      result.reasons.push(`revoked: its id (jti ${claims.jti}) is on the revocation list`);
    if (typeof claims.aud === 'string' && !(await engine.store.getApi(claims.aud))) result.notes.push(`the API ${claims.aud} is not registered (any more)`);
    if (typeof claims.sub === 'string') {
      const user = await engine.store.getUser(claims.sub);
      if (user && !user.active) result.notes.push(`its user ${user.username} is deactivated now; the JWT itself stays valid until it expires`);
      else if (user) result.notes.push(`subject: user ${user.username}`);
    }
    return verdictOf(engine, token, result);
  }
  result.valid = result.reasons.length === 0;
  if (source.client) {
    const answer = await postForm(source.server!, '/introspect', source.client.id, source.client.secret, { token });
    result.introspection = answer;
    if (answer.active !== true && result.valid) {
      result.valid = false;
      result.reasons.push(`the server says it is not active (revoked, or ${source.client.id} may introspect only its own tokens)`);
    }
  } else if (result.valid) {
    result.notes.push('signature, issuer and expiry checked against the server; revocation not checked (needs introspection: --client with its secret)');
  }
  return result;
}

function verifySignature(parts: [string, string, string], jwk: Record<string, unknown>, alg: SigningAlg): boolean {
  try {
    const spec = ALGORITHMS[alg];
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return cryptoVerify(
      spec.digest,
      Buffer.from(`${parts[0]}.${parts[1]}`, 'utf8'),
      spec.dsaEncoding ? { key, dsaEncoding: spec.dsaEncoding } : key,
      Buffer.from(parts[2], 'base64url'),
    );
  } catch {
    return false;
  }
}
