// The console's audit filter lists the event types in its own browser script (it cannot
// import the engine's TypeScript); this keeps the two lists the same.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { AUDIT_EVENT_TYPES } from '../core/audit/audit-event.js';

it("the console's audit filter offers exactly the engine's audit event types", () => {
  const script = readFileSync(new URL('./assets/pages/audit.js', import.meta.url), 'utf8');
  const list = /const TYPES = \[([^\]]*)\]/.exec(script)?.[1];
  assert.ok(list, 'audit.js declares const TYPES = [...]');
  const types = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  assert.deepEqual([...types].sort(), [...AUDIT_EVENT_TYPES].sort());
});
