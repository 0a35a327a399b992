/**
 * What every adapter does per request: authenticate (unless an earlier middleware of
 * ours already did), then apply the route's guards; and, with usage reporting on,
 * report the call once its response is done.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHeaders } from '../authorization-header.js';
import type { Authenticator, AuthRequest, AuthResult } from '../authenticator.js';
import type { Guard } from '../guards.js';
import type { Principal } from '../principal.js';

/**
 * A node:http request's headers, with every Authorization header it carried: node keeps
 * only the first in `headers`, so a second one would pass unseen. Several are refused.
 */
export function requestHeaders(req: IncomingMessage): RequestHeaders {
  const authorization = req.headersDistinct?.authorization;
  return authorization !== undefined && authorization.length > 1 ? { ...req.headers, authorization } : req.headers;
}

export interface Authorized {
  result: AuthResult;
  /** Who authenticated, even when a guard then refused (a 403 is a call made with a token too). */
  principal: Principal | undefined;
}

export async function authorizeRequest(
  authenticator: Authenticator,
  request: AuthRequest,
  already: Principal | undefined,
  guards: readonly Guard[],
): Promise<Authorized> {
  if (already) return { result: authenticator.authorize(already, guards), principal: already };
  const result = await authenticator.authenticate(request);
  if (!result.ok) return { result, principal: undefined };
  return { result: guards.length > 0 ? authenticator.authorize(result.principal, guards) : result, principal: result.principal };
}

/** Responses already being reported: an outer and a route requireAuth report one call. */
const reported = new WeakSet<ServerResponse>();

/**
 * Reports the call when `res` closes: its status then, or 499 when the client went away
 * before the response was finished. `startedAt` is a performance.now() mark.
 */
export function reportWhenDone(
  authenticator: Authenticator,
  res: ServerResponse,
  call: { principal: Principal; method: string; url: string; startedAt: number },
): void {
  if (!authenticator.usage.enabled || reported.has(res)) return;
  reported.add(res);
  res.once('close', () => {
    authenticator.recordCall({
      principal: call.principal,
      method: call.method,
      url: call.url,
      status: res.writableFinished ? res.statusCode : 499,
      durationMs: performance.now() - call.startedAt,
    });
  });
}
