import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuditEvent, AuditRecord } from './audit-event.js';
import { canonicalJson } from './canonical-json.js';
import { chainRecords, GENESIS, recordHash, sealRecords } from './record-hash.js';
import { verifyChain } from './verify-chain.js';

const events: AuditEvent[] = Array.from({ length: 5 }, (_, i) => ({
  type: 'token.issued',
  outcome: 'success',
  at: 1_800_000_000_000 + i,
  clientId: `client-${i}`,
  scopes: ['read'],
  details: { n: i },
}));

const head = (chain: AuditRecord[]) => ({ sequence: chain[chain.length - 1]!.sequence, hash: chain[chain.length - 1]!.hash });

describe('audit chain', () => {
  it('encodes canonically: sorted keys, no whitespace, no undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: [2, { d: undefined, c: 'x' }], e: null }), '{"a":[2,{"c":"x"}],"b":1,"e":null}');
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  });

  it('seals each record over its sequence, the previous hash and every field', () => {
    const [first] = chainRecords(GENESIS, events);
    assert.match(first!.hash, /^[0-9a-f]{64}$/);
    assert.equal(first!.hash, recordHash(events[0]!, 1, GENESIS.hash));
    assert.notEqual(first!.hash, recordHash(events[0]!, 2, GENESIS.hash));
    assert.notEqual(first!.hash, recordHash({ ...events[0]!, at: events[0]!.at + 1 }, 1, GENESIS.hash));
    assert.notEqual(first!.hash, recordHash({ ...events[0]!, details: { n: 1 } }, 1, GENESIS.hash));
    assert.equal(first!.hash, recordHash(JSON.parse(JSON.stringify(first)) as AuditRecord, 1, GENESIS.hash), 'survives a JSON round trip');
  });

  it('keeps the seal of chains written before documents were sealed directly', () => {
    // The seal has always been SHA-256 over canonicalJson({ sequence, prevHash, event }).
    const [sealed] = sealRecords(GENESIS, events);
    const expected = createHash('sha256')
      .update(canonicalJson({ sequence: 1, prevHash: GENESIS.hash, event: events[0] }))
      .digest('hex');
    assert.equal(sealed!.hash, expected);
    assert.equal(sealed!.doc, canonicalJson(events[0]), 'the stored document is the canonical event');
    assert.equal(canonicalJson(JSON.parse(sealed!.doc)), sealed!.doc, 'and re-encodes to itself once read back');
  });

  it('verifies an intact chain', async () => {
    const chain = chainRecords(GENESIS, events);
    assert.deepEqual(await verifyChain(chain, GENESIS, head(chain)), { ok: true, count: 5, head: head(chain) });
    assert.deepEqual(await verifyChain([], GENESIS, GENESIS), { ok: true, count: 0, head: GENESIS });
  });

  it('finds a modified record', async () => {
    const chain = chainRecords(GENESIS, events);
    chain[2] = { ...chain[2]!, clientId: 'someone-else' };
    const verdict = await verifyChain(chain, GENESIS, head(chain));
    assert.deepEqual(verdict, { ok: false, brokenAt: 3, reason: 'record 3 was modified (hash mismatch)', count: 2 });
  });

  it('finds a modified record whose hash was recomputed (the next link breaks)', async () => {
    const chain = chainRecords(GENESIS, events);
    const forged = { ...chain[2]!, clientId: 'someone-else' };
    forged.hash = recordHash(forged, forged.sequence, forged.prevHash);
    chain[2] = forged;
    const verdict = await verifyChain(chain, GENESIS, head(chain));
    assert.equal(verdict.ok, false);
    assert.equal(!verdict.ok && verdict.brokenAt, 4);
  });

  it('finds a deleted record, a deleted tail, and reordered records', async () => {
    const chain = chainRecords(GENESIS, events);
    const gap = await verifyChain([chain[0]!, chain[1]!, chain[3]!, chain[4]!], GENESIS, head(chain));
    assert.deepEqual(gap, { ok: false, brokenAt: 3, reason: 'record 3 is missing (next found: 4)', count: 2 });
    const tail = await verifyChain(chain.slice(0, 4), GENESIS, head(chain));
    assert.equal(!tail.ok && tail.brokenAt, 5);
    const first = await verifyChain(chain.slice(1), GENESIS, head(chain));
    assert.equal(!first.ok && first.brokenAt, 1);
    const swapped = await verifyChain([chain[0]!, chain[2]!, chain[1]!, chain[3]!, chain[4]!], GENESIS, head(chain));
    assert.equal(swapped.ok, false);
    // Renumbering to hide the swap breaks the links instead.
    const renumbered = [chain[0]!, { ...chain[2]!, sequence: 2 }, { ...chain[1]!, sequence: 3 }, chain[3]!, chain[4]!];
    const verdict = await verifyChain(renumbered, GENESIS, head(chain));
    assert.deepEqual(verdict, { ok: false, brokenAt: 2, reason: 'record 2 does not link to record 1', count: 1 });
  });

  it('verifies from an anchor after pruning, and stops at the head it was given', async () => {
    const chain = chainRecords(GENESIS, events);
    const anchor = { sequence: 2, hash: chain[1]!.hash };
    assert.equal((await verifyChain(chain.slice(2), anchor, head(chain))).ok, true);
    assert.equal((await verifyChain(chain.slice(2), { sequence: 2, hash: GENESIS.hash }, head(chain))).ok, false, 'a forged anchor');
    const more = [...chain, ...chainRecords(head(chain), events.slice(0, 1))];
    assert.deepEqual(await verifyChain(more, GENESIS, head(chain)), { ok: true, count: 5, head: head(chain) });
  });
});
