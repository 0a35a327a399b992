/**
 * A management API error as the CLI reports it: one line naming the fields at fault,
 * exit 1. Its own file so the CLI's error policy (main.ts) loads without the API's routes.
 */
interface FieldProblem {
  field: string;
  message: string;
}

const WHAT: Record<number, string> = {
  400: 'invalid input',
  401: 'not authenticated',
  403: 'forbidden',
  404: 'not found',
  405: 'not allowed',
  409: 'conflict',
  412: 'changed meanwhile',
};

/** A management API error (from the server, or from the same routes in-process): one line, exit 1. */
export class ManagementError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldProblem[];

  constructor(status: number, body: unknown, hint?: string) {
    const problem = (body ?? {}) as { error?: string; error_description?: string; details?: FieldProblem[] };
    const details = Array.isArray(problem.details) ? problem.details : [];
    const description =
      details.length > 0 ? details.map((d) => `${d.field}: ${d.message}`).join('; ') : (problem.error_description ?? problem.error ?? 'no details');
    const what = WHAT[status] ?? (status >= 500 ? 'server error' : 'refused');
    super(`${status === 404 && /not found$/.test(description) ? `${description} (404)` : `${what} (${status}): ${description}`}${hint ? ` ${hint}` : ''}`);
    this.name = 'ManagementError';
    this.status = status;
    this.code = problem.error ?? '';
    this.details = details;
  }
}
