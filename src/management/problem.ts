/**
 * Errors of the management API, rendered as JSON with a stable `error` code, a
 * message, and for rejected input the list of fields at fault.
 */
import type { ZodError } from 'zod';

export interface FieldProblem {
  field: string;
  message: string;
}

export type ProblemCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'insufficient_scope'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'method_not_allowed';

export class ManagementProblem extends Error {
  readonly status: number;
  readonly error: ProblemCode;
  readonly details: FieldProblem[];
  readonly headers: Record<string, string>;

  constructor(status: number, error: ProblemCode, message: string, details: FieldProblem[] = [], headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ManagementProblem';
    this.status = status;
    this.error = error;
    this.details = details;
    this.headers = headers;
  }

  toJSON(): Record<string, unknown> {
    return { error: this.error, error_description: this.message, ...(this.details.length ? { details: this.details } : {}) };
  }
}

export const notFound = (what: string) => new ManagementProblem(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new ManagementProblem(409, 'conflict', message);
export const badField = (field: string, message: string) => new ManagementProblem(400, 'invalid_request', `${field}: ${message}`, [{ field, message }]);

export function fromZod(where: 'body' | 'query' | 'path', error: ZodError): ManagementProblem {
  const details = error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new ManagementProblem(400, 'invalid_request', `invalid ${where}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}
