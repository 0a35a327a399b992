import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIT_EVENT_TYPES, type AuditEvent } from './audit-event.js';
import { canonicalEventJson } from './canonical-event-json.js';
import { canonicalJson } from './canonical-json.js';

/** A small deterministic generator (xorshift32), so a failure is reproducible. */
function generator(seed: number) {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

const STRINGS = ['', 'client-1', 'read write', 'é"\\\n\t\u2028', '\u0000\u001f', 'tsr_at_x', '日本語', '\ud83d\ude00', 'a'.repeat(300)];
const NUMBERS = [0, -1, 1.5, 1_800_000_000_000, Number.MAX_SAFE_INTEGER, 1e21, -0, Number.NaN];

function randomEvent(seed: number): Record<string, unknown> {
  const { next, pick } = generator(seed);
  const maybe = (value: () => unknown) => (next() < 0.5 ? value() : next() < 0.2 ? undefined : 'absent');
  const fields: Record<string, unknown> = {
    type: pick(AUDIT_EVENT_TYPES),
    outcome: pick(['success', 'failure']),
    at: pick(NUMBERS),
    actor: maybe(() => ({ type: pick(['client', 'user', 'admin']), id: pick(STRINGS) })),
    subject: maybe(() => pick(STRINGS)),
    clientId: maybe(() => pick(STRINGS)),
    api: maybe(() => pick(STRINGS)),
    scopes: maybe(() => Array.from({ length: Math.floor(next() * 4) }, () => pick(STRINGS))),
    tokenKind: maybe(() => pick(['access_token', 'refresh_token'])),
    tokenId: maybe(() => pick(STRINGS)),
    reason: maybe(() => pick(STRINGS)),
    ip: maybe(() => pick(['127.0.0.1', '::1'])),
    requestId: maybe(() => pick(STRINGS)),
    details: maybe(() => ({ grantType: pick(STRINGS), n: pick(NUMBERS), nested: { z: [1, { b: null, a: true }], a: pick(STRINGS) }, u: undefined })),
  };
  // Now and then a member no event type has, or a field with a value of another type.
  if (next() < 0.15) fields[pick(['zzz', 'aaa', 'extra', 'sequence', '0', 'atx'])] = pick([...STRINGS, ...NUMBERS, null, true]);
  if (next() < 0.1) fields[pick(['subject', 'at', 'tokenId'])] = pick([null, true, 42, ['x'], { b: 1, a: 2 }]);
  // Insertion order varies: the encoding must not depend on it.
  const entries = Object.entries(fields).filter(([, value]) => value !== 'absent');
  if (next() < 0.5) entries.reverse();
  return Object.fromEntries(entries);
}

describe('canonicalEventJson', () => {
  it('is canonicalJson byte for byte on many events', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const event = randomEvent(seed);
      assert.equal(canonicalEventJson(event as unknown as AuditEvent), canonicalJson(event), `seed ${seed}`);
    }
  });

  it('is canonicalJson on a typical token event and on objects that are not plain', () => {
    const event: AuditEvent = {
      type: 'token.issued',
      outcome: 'success',
      actor: { type: 'client', id: 'bench-client' },
      subject: 'bench-client',
      clientId: 'bench-client',
      api: 'https://api.example/jwt',
      scopes: ['read:things', 'write:things'],
      tokenKind: 'access_token',
      tokenId: '0190f1c2-aaaa',
      ip: '127.0.0.1',
      requestId: 'req-1',
      details: { grantType: 'client_credentials' },
      at: 1_800_000_000_000,
    };
    assert.equal(canonicalEventJson(event), canonicalJson(event));
    const inherited = Object.assign(Object.create({ extra: 'x' }) as AuditEvent, event);
    assert.equal(canonicalEventJson(inherited), canonicalJson(inherited));
    const bare = Object.assign(Object.create(null) as AuditEvent, event);
    assert.equal(canonicalEventJson(bare), canonicalJson(bare));
  });
});
