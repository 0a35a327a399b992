/**
 * Signed request objects (RFC 9101, JAR): the `request` parameter is a JWT the client
 * signed with one of its registered keys (`jwks` or `jwksUri`, as for private_key_jwt).
 * Checked: an asymmetric algorithm (never `none`, never a shared secret), iss = the
 * client, aud = our issuer, exp present and near, nbf. Its claims then are the
 * request: the outer parameters other than client_id are ignored (RFC 9101 §5).
 */
import { errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../clock.js';
import { OAuthError } from '../errors.js';
import type { Client } from '../model.js';

export const REQUEST_OBJECT_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
/** A request object is a one-off message: one that lives longer than this is refused. */
const MAX_LIFETIME = 3600;
const CLOCK_TOLERANCE = 30;
/** JWT claims about the object itself, not authorization request parameters. */
const ENVELOPE = new Set(['iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'sub']);

export const invalidRequestObject = (description: string) => new OAuthError('invalid_request_object', 400, description);

export class RequestObjectVerifier {
  readonly #keysFor: (client: Client) => JWTVerifyGetKey;
  readonly #issuer: string;
  readonly #clock: Clock;

  constructor(keysFor: (client: Client) => JWTVerifyGetKey, issuer: string, clock: Clock) {
    this.#keysFor = keysFor;
    this.#issuer = issuer;
    this.#clock = clock;
  }

  /** The authorization request the object carries, as parameters (client_id included). */
  async parameters(client: Client, requestObject: string): Promise<[string, string][]> {
    if (!client.jwks && !client.jwksUri) throw invalidRequestObject('the client has no registered keys (jwks or jwksUri) to verify request objects with');
    const now = this.#clock.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(requestObject, this.#keysFor(client), {
        issuer: client.clientId,
        audience: this.#issuer,
        algorithms: REQUEST_OBJECT_ALGS,
        clockTolerance: CLOCK_TOLERANCE,
        currentDate: new Date(now * 1000),
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JOSEError ? error.message : 'unverifiable';
      throw invalidRequestObject(`request object rejected: ${reason}`);
    }
    if (payload.exp! - now > MAX_LIFETIME + CLOCK_TOLERANCE) throw invalidRequestObject(`request object must expire within ${MAX_LIFETIME} seconds`);
    if (payload.client_id !== undefined && payload.client_id !== client.clientId) throw invalidRequestObject('client_id in the request object does not match');
    if ('request' in payload || 'request_uri' in payload) throw invalidRequestObject('a request object must not contain request or request_uri');
    const params: [string, string][] = [];
    for (const [name, value] of Object.entries(payload)) {
      if (ENVELOPE.has(name) || name === 'client_id' || value === undefined || value === null) continue;
      // `claims` is JSON, max_age a number: the parameter form of each is its text.
      params.push([name, typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)]);
    }
    params.push(['client_id', client.clientId]);
    return params;
  }
}
