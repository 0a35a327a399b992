/**
 * One management route: method, path, the scope it requires, its input and output
 * schemas, and the handler. The router validates with the schemas, and the OpenAPI
 * document is generated from the very same schemas, so the two cannot disagree.
 */
import type { z } from 'zod';
import type { AuthorizationServer } from '../core/authorization-server.js';
import type { ManagementScope } from './management-api.js';
import type { Principal } from './principal.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  /** The If-Match header, for optimistic concurrency on updates. */
  ifMatch?: string;
}

export interface HandlerResult<R> {
  status?: number;
  body?: R;
  /** An entity tag for the resource returned. */
  etag?: string;
  /** What changed, for the audit log (the router records it with the caller as actor). */
  change?: ManagementChange;
}

export interface ManagementChange {
  kind: string;
  id: string;
  action: 'created' | 'updated' | 'deleted' | 'secret_added' | 'secret_deleted' | 'password_set';
  before?: object;
  after?: object;
}

export interface ManagementRoute<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: HttpMethod;
  /** OpenAPI-style path under /api/v1, e.g. `/clients/{clientId}`. */
  path: string;
  summary: string;
  tag: string;
  scope: ManagementScope;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The success response; absent for 204. */
  response?: z.ZodType<R>;
  status: number;
  /** Honours If-Match (412 when stale): updates always; a delete that says so. */
  conditional?: boolean;
  handler(engine: AuthorizationServer, input: HandlerInput<P, Q, B>): Promise<HandlerResult<R>>;
}

/** Declares a route with its types inferred from its schemas. */
export function route<P, Q, B, R>(definition: ManagementRoute<P, Q, B, R>): ManagementRoute {
  return definition as unknown as ManagementRoute;
}
