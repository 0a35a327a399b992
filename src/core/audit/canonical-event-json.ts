/**
 * canonicalJson (canonical-json.ts) of an audit event, byte for byte, without sorting
 * its keys on every record: an event's fields are known, so they are visited in their
 * sorted order, fixed once here, with their `"name":` prefixes encoded once. An event
 * with any other member (or not a plain object) takes canonicalJson itself, so the
 * output never differs (canonical-event-json.test.ts compares the two on many events).
 * It runs once per audit record: on the token path, once per token.
 */
import type { AuditEvent } from './audit-event.js';
import { canonicalJson } from './canonical-json.js';

/** Every field of AuditEvent; the satisfies clause keeps the list in step with the type. */
const EVENT_FIELDS = [
  'type',
  'outcome',
  'at',
  'actor',
  'subject',
  'clientId',
  'api',
  'scopes',
  'tokenKind',
  'tokenId',
  'reason',
  'ip',
  'requestId',
  'details',
] as const satisfies readonly (keyof AuditEvent)[];

/** The fields in canonicalJson's order (Object.keys(...).sort()), each with its encoded name. */
const SORTED = [...EVENT_FIELDS].sort().map((name) => ({ name, prefix: `${JSON.stringify(name)}:` }));

export function canonicalEventJson(event: AuditEvent): string {
  if (Object.getPrototypeOf(event) !== Object.prototype) return canonicalJson(event);
  const fields = event as unknown as Record<string, unknown>;
  let out = '{';
  let written = 0;
  for (const { name, prefix } of SORTED) {
    const value = fields[name];
    if (value === undefined) continue;
    out += written === 0 ? prefix : `,${prefix}`;
    out += typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value);
    written += 1;
  }
  // Any member not among the known fields: the general encoding, which sorts it in.
  let defined = 0;
  for (const key in fields) if (fields[key] !== undefined) defined += 1;
  return defined === written ? `${out}}` : canonicalJson(event);
}
