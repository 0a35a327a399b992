// @ts-check
/**
 * The console's only door to data: the management API under /api/v1, with the
 * signed-in admin's bearer token. Errors become ApiError with the API's problem
 * (error code, message, fields at fault); an expired or refused token triggers a new
 * sign-in that comes back to the same page.
 */
import { config } from './config.js';
import { currentSession, forgetSession, signIn } from './auth.js';

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {{ field: string, message: string }[]} [details]
   */
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/**
 * @typedef {{ query?: Record<string, string | number | boolean | undefined>, body?: unknown, ifMatch?: string }} CallOptions
 * @typedef {{ status: number, body: any, etag?: string }} CallResult
 */

/**
 * @param {string} method
 * @param {string} path below /api/v1
 * @param {CallOptions} [options]
 * @returns {Promise<CallResult>}
 */
export async function call(method, path, options = {}) {
  const session = currentSession();
  if (!session) {
    await signIn();
    throw new ApiError(401, 'invalid_token', 'Your session expired: signing in again…');
  }
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== '') query.set(k, String(v));
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${session.accessToken}`, accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  let response;
  try {
    response = await fetch(`${config.audience}${path}${query.size ? `?${query}` : ''}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'network', 'Tessera could not be reached. Check that the server is running, then try again.');
  }
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(response.status, 'bad_response', `The server answered ${response.status} with something that is not JSON.`);
  }
  if (response.status === 401 && Date.now() - session.obtainedAt > 5_000) {
    // Expired or revoked since: sign in again (a fresh token refused at once is reported instead, not looped on).
    forgetSession();
    await signIn();
  }
  if (!response.ok) throw new ApiError(response.status, body?.error ?? 'error', body?.error_description ?? `HTTP ${response.status}`, body?.details ?? []);
  return { status: response.status, body, etag: response.headers.get('etag') ?? undefined };
}

/** @param {string} segment */
export const seg = (segment) => encodeURIComponent(segment);

/**
 * Every item of a paginated list (for pickers: APIs, roles, clients...).
 * @param {string} path
 * @param {Record<string, string>} [query]
 * @returns {Promise<any[]>}
 */
export async function listAll(path, query = {}) {
  /** @type {any[]} */
  const items = [];
  /** @type {string | undefined} */
  let cursor;
  do {
    const page = await call('GET', path, { query: { ...query, limit: 200, cursor } });
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor && items.length < 5000);
  return items;
}
