/**
 * POST /audit/api-calls: a resource server (a client registered with
 * `introspection: any`) reports the API calls it served, for the audit log. The form
 * carries `calls`, a JSON array of at most 100 entries:
 *   { method, path, status, tokenId?, subject?, clientId?, scopes?, api?, durationMs?, calledAt? }
 * (`calledAt` in epoch milliseconds.) Each becomes an `api.called` event; query strings
 * are cut from paths, so a token passed in a URL never reaches the log. A call with a
 * `tokenId` is also a use of that token: manual credentials (PAT, SAT, user and action
 * tokens) get their last-use time through the batched UsageRecorder, resolved by id
 * at its next flush, never here.
 *
 * The batch may also come as an application/json body: the array itself, or
 * `{ "calls": [...] }` (the client then authenticates with HTTP Basic).
 *
 * The SDK sends these reports with `usageReporting` (packages/resource-server/src/usage-reporter.ts).
 */
import type { AuditLog } from '../audit/audit-log.js';
import { requestOrigin } from '../audit/request-origin.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import type { Clock } from '../clock.js';
import type { UsageRecorder } from '../credentials/usage-recorder.js';
import { invalidRequest, unauthorizedClient } from '../errors.js';
import type { EngineRequest, EngineResponse } from '../request.js';

// The report's zod schema loads on the first report, not with the server (most never get one).
let reportSchema: Promise<typeof import('./api-call-report-schema.js')['reportSchema']> | undefined;
const loadReportSchema = () => (reportSchema ??= import('./api-call-report-schema.js').then((m) => m.reportSchema));

/** Where last uses go; without it, reports only reach the audit log. */
export interface LastUse {
  usage: Pick<UsageRecorder, 'recordById'>;
  clock: Clock;
}

/** The batch: from a JSON body (the array or `{ calls }`), or the form's `calls` field. */
function reportedCalls(request: EngineRequest): unknown {
  if (request.json !== undefined) {
    const body = request.json as { calls?: unknown } | null;
    return Array.isArray(body) ? body : body?.calls;
  }
  try {
    return JSON.parse(request.params.require('calls'));
  } catch (error) {
    throw error instanceof SyntaxError ? invalidRequest('calls must be a JSON array') : error;
  }
}

export function apiCallsEndpoint(clientAuth: ClientAuthenticator, audit: AuditLog, lastUse?: LastUse) {
  return async function handleApiCallReport(request: EngineRequest): Promise<EngineResponse> {
    const client = await clientAuth.authenticate(request);
    if (client.introspection !== 'any') throw unauthorizedClient('only a resource server (introspection: any) may report API calls');
    const result = (await loadReportSchema()).safeParse(reportedCalls(request));
    if (!result.success) {
      const issue = result.error.issues[0];
      throw invalidRequest(`calls${issue?.path.map((p) => `[${String(p)}]`).join('') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    const origin = requestOrigin(request);
    const now = lastUse?.clock.now() ?? 0;
    for (const call of result.data) {
      if (lastUse && call.tokenId !== undefined) {
        // The reported time, never later than ours (a resource server's clock may run ahead).
        const at = call.calledAt === undefined ? now : Math.min(now, Math.floor(call.calledAt / 1000));
        lastUse.usage.recordById(call.tokenId, at, call.subject);
      }
      const scopes = typeof call.scopes === 'string' ? call.scopes.split(' ').filter(Boolean) : call.scopes;
      const api = call.api ?? client.api;
      audit.record({
        type: 'api.called',
        outcome: call.status < 400 ? 'success' : 'failure',
        actor: { type: 'client', id: client.clientId },
        ...(call.subject !== undefined ? { subject: call.subject } : {}),
        ...(call.clientId !== undefined ? { clientId: call.clientId } : {}),
        ...(api !== undefined ? { api } : {}),
        ...(scopes !== undefined ? { scopes } : {}),
        ...(call.tokenId !== undefined ? { tokenId: call.tokenId } : {}),
        ...(call.status >= 400 ? { reason: `HTTP ${call.status}` } : {}),
        ...origin,
        details: {
          method: call.method,
          path: call.path.split(/[?#]/, 1)[0],
          status: call.status,
          ...(call.durationMs !== undefined ? { durationMs: call.durationMs } : {}),
          ...(call.calledAt !== undefined ? { calledAt: call.calledAt } : {}),
        },
      });
    }
    return { status: 202, body: { accepted: result.data.length } };
  };
}
