/** `tessera audit verify|list|export|prune`: read, check and trim the audit log. */
import { open } from 'node:fs/promises';
import { isAuditEventType, type AuditRecord } from '../../core/audit/audit-event.js';
import { need, resourceVerb, type ActionContext, type FlagValues } from '../resource-verb.js';
import type { UsageError } from '../usage-error.js';
import type { Io } from './verb.js';

function time(context: ActionContext, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw context.usage(`${flag} takes an ISO 8601 time such as 2025-01-31 or 2025-01-31T12:00:00Z, got ${value}`);
  return ms;
}

function describe(r: AuditRecord): string {
  const parts = [`#${r.sequence}`, new Date(r.at).toISOString(), r.type, r.outcome];
  // An API call says what was called: "GET /calendars 200".
  if (r.type === 'api.called' && r.details) {
    const { method, path, status } = r.details;
    if (typeof method === 'string' && typeof path === 'string') parts.push(`${method} ${path}${typeof status === 'number' ? ` ${status}` : ''}`);
  }
  if (r.actor) parts.push(`actor=${r.actor.type}:${r.actor.id}`);
  if (r.clientId) parts.push(`client=${r.clientId}`);
  if (r.subject) parts.push(`subject=${r.subject}`);
  if (r.tokenKind) parts.push(`kind=${r.tokenKind}`);
  if (r.tokenId) parts.push(`token=${r.tokenId}`);
  if (r.api) parts.push(`api=${r.api}`);
  if (r.scopes?.length) parts.push(`scopes="${r.scopes.join(' ')}"`);
  if (r.ip) parts.push(`ip=${r.ip}`);
  if (r.reason) parts.push(`reason="${r.reason}"`);
  return parts.join('  ');
}

/** The query of GET /audit-events, from the flags (checked here, so mistakes are usage errors). */
function listQuery(context: ActionContext, values: FlagValues, usage: (m: string) => UsageError): Record<string, string | undefined> {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const type = text('type');
  if (type !== undefined && !isAuditEventType(type)) throw usage(`--type must be an audit event type such as token.issued or signin.failed, got ${type}`);
  const outcome = text('outcome');
  if (outcome !== undefined && outcome !== 'success' && outcome !== 'failure') throw usage('--outcome must be success or failure');
  const limit = text('limit');
  if (limit !== undefined && (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000)) throw usage('--limit must be a number from 1 to 1000');
  time(context, '--since', text('since'));
  time(context, '--until', text('until'));
  return {
    type,
    outcome,
    limit: limit ?? '50',
    from: text('since'),
    to: text('until'),
    clientId: text('client'),
    subject: text('subject'),
    actorId: text('actor'),
    cursor: text('cursor'),
  };
}

async function exportTo(lines: AsyncIterable<string>, out: string | undefined, io: Io): Promise<number> {
  let count = 0;
  if (out === undefined) {
    for await (const line of lines) {
      io.out(line.trimEnd());
      count++;
    }
    return count;
  }
  const file = await open(out, 'w', 0o600);
  try {
    for await (const line of lines) {
      await file.write(line);
      count++;
    }
  } finally {
    await file.close();
  }
  return count;
}

async function engineOf(context: ActionContext) {
  const target = await context.target();
  return { engine: target.engine!, settings: target.settings! };
}

export const auditVerb = resourceVerb({
  name: 'audit',
  summary: 'verify, list, export or prune the audit log',
  about: 'the hash-chained audit log of sign-ins, tokens and changes',
  actions: [
    {
      name: 'verify',
      summary: 'check the hash chain from the oldest kept record to the newest',
      synopsis: '[--data DIR]',
      details: 'Exits 1 and names the first broken record if one was changed, removed or reordered.',
      localOnly: true,
      async run(context) {
        need(context);
        const { engine } = await engineOf(context);
        const verdict = await engine.audit.verify();
        if (context.json) context.io.out(JSON.stringify(verdict));
        if (!verdict.ok) {
          context.io.err(`audit chain broken at record ${verdict.brokenAt}: ${verdict.reason} (${verdict.count} record(s) verified before it)`);
          return 1;
        }
        if (!context.json) context.io.out(`audit chain intact: ${verdict.count} record(s) verified; head #${verdict.head.sequence} ${verdict.head.hash}`);
        return 0;
      },
    },
    {
      name: 'list',
      summary: 'list events, newest first, a page at a time',
      synopsis: '[--type T] [--client ID] [--subject ID] [--actor ID] [--outcome success|failure] [--since ISO] [--until ISO] [--limit N] [--cursor C]',
      details: `  --limit N     events per page (default 50, at most 1000); the --cursor of the next
                page is printed on stderr
  --since is inclusive, --until exclusive. --json prints one JSON record per line.`,
      flags: {
        type: { type: 'string' },
        client: { type: 'string' },
        subject: { type: 'string' },
        actor: { type: 'string' },
        outcome: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
      },
      async run(context) {
        need(context);
        const query = listQuery(context, context.values, context.usage);
        const page = (await (await context.target()).call<{ items: AuditRecord[]; nextCursor?: string }>('GET', '/audit-events', { query })).body;
        if (page.items.length === 0 && !context.json) context.io.out('no audit events');
        for (const record of page.items) context.io.out(context.json ? JSON.stringify(record) : describe(record));
        if (page.nextCursor) context.io.err(`more: --cursor ${page.nextCursor}`);
        return 0;
      },
    },
    {
      name: 'export',
      summary: "the whole log as JSON Lines, oldest first, with each record's hashes",
      synopsis: '[--out FILE]',
      localOnly: true,
      flags: { out: { type: 'string', short: 'o' } },
      async run(context) {
        need(context);
        const { engine } = await engineOf(context);
        const out = context.values.out as string | undefined;
        const count = await exportTo(engine.audit.exportJsonLines(), out, context.io);
        if (out) context.io.err(`exported ${count} record(s) to ${out}`);
        return 0;
      },
    },
    {
      name: 'prune',
      summary: 'delete records older than --before; what remains still verifies',
      synopsis: '[--before ISO]',
      details: '  --before ISO   default: the retention period (TESSERA_AUDIT_RETENTION_DAYS, 365 days)',
      localOnly: true,
      flags: { before: { type: 'string' } },
      async run(context) {
        need(context);
        const before = time(context, '--before', context.values.before as string | undefined);
        const { engine, settings } = await engineOf(context);
        const cutoff = before ?? Date.now() - settings.auditRetentionDays * 86_400_000;
        const pruned = await engine.audit.prune(cutoff);
        if (context.json) context.io.out(JSON.stringify({ pruned, before: new Date(cutoff).toISOString() }));
        else context.io.out(`pruned ${pruned} record(s) older than ${new Date(cutoff).toISOString()}`);
        return 0;
      },
    },
  ],
});
