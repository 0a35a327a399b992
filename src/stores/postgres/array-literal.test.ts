import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { arrayLiteral } from './array-literal.js';

const url = process.env.TESSERA_TEST_DATABASE_URL;

const TRICKY = [
  '',
  'plain',
  'NULL',
  'null',
  ' spaced ',
  'a,b',
  '{braces}',
  'quote " inside',
  'back\\slash',
  '\\"',
  '{"canonical":"json","with":["quotes","and \\\\ escapes"],"n":1}',
  'émoji 😀 and ünïcödé',
  '\u2028\u2029\u007f',
];

describe('PostgreSQL array literals', () => {
  it('are written for strings, finite numbers and nulls, and left to the driver otherwise', () => {
    assert.equal(arrayLiteral(['a', null, 'b"c']), '{"a",null,"b\\"c"}');
    assert.equal(arrayLiteral([1, 2, null]), '{1,2,null}');
    assert.equal(arrayLiteral([]), '{}');
    for (const odd of [['line\nbreak'], ['nul\u0000'], ['lone \ud800'], [Number.NaN], [Number.POSITIVE_INFINITY], [true], [{}]]) {
      assert.equal(arrayLiteral(odd), odd, JSON.stringify(odd));
    }
  });

  it('mean to PostgreSQL exactly what the driver would have sent', { skip: !url }, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const values = [...TRICKY, null, 'line\nbreak', 'lone \ud800'];
      for (const input of [TRICKY, [...TRICKY, null], values]) {
        const viaLiteral = await client.query<{ v: string | null }>('SELECT unnest($1::text[]) AS v', [arrayLiteral(input)]);
        const viaDriver = await client.query<{ v: string | null }>('SELECT unnest($1::text[]) AS v', [input]);
        assert.deepEqual(
          viaLiteral.rows.map((r) => r.v),
          viaDriver.rows.map((r) => r.v),
        );
        assert.deepEqual(
          viaLiteral.rows.map((r) => r.v),
          input.map((v) => (typeof v === 'string' ? Buffer.from(v).toString() : v)),
        );
      }
      const numbers = await client.query<{ v: string | null }>('SELECT unnest($1::bigint[])::text AS v', [arrayLiteral([0, 1_800_000_000, 2 ** 53 - 1, null])]);
      assert.deepEqual(
        numbers.rows.map((r) => r.v),
        ['0', '1800000000', String(2 ** 53 - 1), null],
      );
    } finally {
      await client.end();
    }
  });
});
