/**
 * Opaque credentials (reference access tokens, PATs, SATs, user and action tokens)
 * through RFC 7662 introspection, authenticated with client_secret_basic.
 *
 * Answers are cached by token hash for `cacheSeconds` (default 5): that is the bound
 * on how late a revocation is seen. A stale entry is kept (until evicted) so that a
 * token we saw active and now see inactive is reported as revoked (or expired). Concurrent requests
 * with the same token share one introspection call.
 */
import { BoundedCache } from './bounded-cache.js';
import { fetchJson, isObject, UpstreamError, type FetchLike } from './fetch-json.js';
import type { Clock } from './options.js';
import type { CredentialKind } from './principal.js';

const TOKEN_KINDS = ['access_token', 'personal_access_token', 'service_access_token', 'user_token', 'action_token', 'refresh_token'] as const;

/** An `active: true` answer, shape-checked. */
export interface ActiveIntrospection {
  active: true;
  token_kind: (typeof TOKEN_KINDS)[number];
  sub: string;
  iss?: string;
  aud?: string | string[];
  client_id?: string;
  scope?: string;
  exp?: number;
  iat?: number;
  jti?: string;
  username?: string;
  service_account?: string;
  sandbox?: boolean;
  allowed_endpoints?: string[];
  permissions?: Record<string, string[]>;
  /** How the user signed in, for tokens from a sign-in. */
  auth_time?: number;
  acr?: string;
  amr?: string[];
  /** RFC 9449: a DPoP-bound token's key thumbprint. */
  cnf?: { jkt?: string };
}

/** client_secret_basic: both parts form-urlencoded before base64 (RFC 6749 §2.3.1). */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export type IntrospectionOutcome = ActiveIntrospection | 'inactive' | 'revoked' | 'expired';

interface Entry {
  answer: ActiveIntrospection | undefined;
  checkedAt: number;
}

export class IntrospectionClient {
  readonly #endpoint: () => Promise<string | undefined>;
  readonly #authorization: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #cacheSeconds: number;
  readonly #answers: BoundedCache<Entry>;
  readonly #inFlight = new Map<string, Promise<ActiveIntrospection | undefined>>();
  /** How many introspection calls were made: for tests and metrics. */
  calls = 0;

  constructor(options: {
    endpoint: () => Promise<string | undefined>;
    clientId: string;
    clientSecret: string;
    fetch: FetchLike;
    timeoutMs: number;
    clock: Clock;
    cacheSeconds: number;
    cacheSize: number;
  }) {
    this.#endpoint = options.endpoint;
    this.#authorization = basicAuthorization(options.clientId, options.clientSecret);
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs;
    this.#clock = options.clock;
    this.#cacheSeconds = options.cacheSeconds;
    this.#answers = new BoundedCache(options.cacheSize);
  }

  /** Throws UpstreamError when the issuer cannot be asked or answers nonsense. */
  async introspect(token: string, tokenHash: string, hint: CredentialKind): Promise<IntrospectionOutcome> {
    const now = this.#clock.now();
    const previous = this.#answers.get(tokenHash);
    if (previous && now - previous.checkedAt < this.#cacheSeconds) return previous.answer ?? 'inactive';
    let pending = this.#inFlight.get(tokenHash);
    if (!pending) {
      pending = this.#ask(token, hint).finally(() => this.#inFlight.delete(tokenHash));
      this.#inFlight.set(tokenHash, pending);
    }
    const answer = await pending;
    this.#answers.set(tokenHash, { answer, checkedAt: now });
    if (answer) return answer;
    const before = previous?.answer;
    if (!before) return 'inactive';
    return before.exp !== undefined && before.exp <= now ? 'expired' : 'revoked';
  }

  async #ask(token: string, hint: CredentialKind): Promise<ActiveIntrospection | undefined> {
    const endpoint = await this.#endpoint();
    if (endpoint === undefined) throw new UpstreamError('the issuer publishes no introspection_endpoint');
    this.calls++;
    const body = new URLSearchParams({ token, token_type_hint: hint });
    const answer = await fetchJson(
      this.#fetch,
      endpoint,
      {
        method: 'POST',
        headers: { authorization: this.#authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
      },
      this.#timeoutMs,
    );
    return parseAnswer(answer, endpoint);
  }
}

const optional = {
  string: (v: unknown) => v === undefined || typeof v === 'string',
  number: (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v)),
  boolean: (v: unknown) => v === undefined || typeof v === 'boolean',
  strings: (v: unknown) => v === undefined || (Array.isArray(v) && v.every((s) => typeof s === 'string')),
};

function parseAnswer(answer: unknown, endpoint: string): ActiveIntrospection | undefined {
  const bad = (what: string) => new UpstreamError(`${endpoint} answered an invalid introspection response: ${what}`);
  if (!isObject(answer) || typeof answer.active !== 'boolean') throw bad('no boolean "active"');
  if (!answer.active) return undefined;
  // A null member is an absent one.
  const a = Object.fromEntries(Object.entries(answer).filter(([, v]) => v !== null));
  if (!(TOKEN_KINDS as readonly unknown[]).includes(a.token_kind)) throw bad('unknown token_kind');
  if (typeof a.sub !== 'string') throw bad('no sub');
  const shapes: [string, boolean][] = [
    ['iss', optional.string(a.iss)],
    ['aud', optional.string(a.aud) || optional.strings(a.aud)],
    ['client_id', optional.string(a.client_id)],
    ['scope', optional.string(a.scope)],
    ['exp', optional.number(a.exp)],
    ['iat', optional.number(a.iat)],
    ['jti', optional.string(a.jti)],
    ['username', optional.string(a.username)],
    ['service_account', optional.string(a.service_account)],
    ['sandbox', optional.boolean(a.sandbox)],
    ['allowed_endpoints', optional.strings(a.allowed_endpoints)],
    ['auth_time', optional.number(a.auth_time)],
    ['acr', optional.string(a.acr)],
    ['amr', optional.strings(a.amr)],
    [
      'permissions',
      a.permissions === undefined || (isObject(a.permissions) && Object.values(a.permissions).every((v) => optional.strings(v) && v !== undefined)),
    ],
  ];
  const wrong = shapes.find(([, ok]) => !ok);
  if (wrong) throw bad(`malformed ${wrong[0]}`);
  return a as unknown as ActiveIntrospection;
}
