/**
 * The one place responses and errors are written. OAuth errors become RFC 6749 §5.2
 * JSON; anything unexpected is logged with the request id and answered with a bare
 * `server_error`, never a stack trace.
 *
 * Each response is one `writeHead` with every header in one object: the request's own
 * headers (X-Request-Id, CORS, Connection while draining) come in as an argument
 * rather than through `setHeader`, which validates and stores each header a second
 * time (a profile of the token path showed the setHeader calls at about 2% of its CPU).
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { OAuthError, serverError } from '../core/errors.js';
import type { EngineResponse } from '../core/request.js';
import { errorPage } from '../pages/views.js';
import { ClientAbortedError } from './read-body.js';

/** The status recorded (never sent) for a request whose client went away: nginx's convention. */
export const CLIENT_CLOSED_REQUEST = 499;

/** Token-bearing and error responses must never be cached (RFC 6749 §5.1). */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** Headers set by the HTTP layer for one request, before the response's own. */
export type RequestHeaders = Readonly<Record<string, string>>;

export function send(res: ServerResponse, response: EngineResponse, requestHeaders: RequestHeaders = {}, cacheable = false, cookies: string[] = []): void {
  const headers: Record<string, string | string[]> = Object.assign({}, requestHeaders, cacheable ? undefined : NO_STORE, response.headers);
  if (cookies.length > 0) headers['Set-Cookie'] = cookies;
  if (response.html !== undefined) {
    headers['Content-Type'] = 'text/html; charset=utf-8';
    headers['Content-Length'] = String(Buffer.byteLength(response.html));
    res.writeHead(response.status, headers).end(response.html);
    return;
  }
  if (response.text !== undefined) {
    headers['Content-Type'] ??= 'text/plain; charset=utf-8';
    headers['Content-Length'] = String(Buffer.byteLength(response.text));
    res.writeHead(response.status, headers).end(response.text);
    return;
  }
  if (response.body === undefined) {
    res.writeHead(response.status, headers).end();
    return;
  }
  const body = JSON.stringify(response.body);
  headers['Content-Type'] ??= 'application/json; charset=utf-8';
  headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(response.status, headers).end(body);
}

export function sendError(res: ServerResponse, error: unknown, log: Logger, asPage = false, requestHeaders: RequestHeaders = {}): void {
  if (error instanceof ClientAbortedError) {
    log.info(error.message);
    res.statusCode = CLIENT_CLOSED_REQUEST;
    res.destroy();
    return;
  }
  let oauth: OAuthError;
  if (error instanceof OAuthError) {
    oauth = error;
    // A dependency outage is the operator's business, not the client's: say it in the log.
    if (oauth.status === 503) log.warn({ error: oauth.error }, oauth.description);
  } else {
    log.error({ err: error }, 'unhandled error');
    oauth = serverError();
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (asPage) {
    const page =
      oauth.status === 503
        ? errorPage('Temporarily unavailable', 'Tessera cannot complete this request just now. Wait a moment and try again.', 503)
        : errorPage(
            oauth.status >= 500 ? 'Something went wrong' : 'Request refused',
            oauth.status >= 500 ? 'Tessera could not complete this request. Try again later.' : oauth.description,
            oauth.status,
          );
    send(res, { ...page, headers: { ...page.headers, ...oauth.headers } }, requestHeaders);
    return;
  }
  send(res, { status: oauth.status, headers: oauth.headers, body: oauth.toJSON() }, requestHeaders);
}
