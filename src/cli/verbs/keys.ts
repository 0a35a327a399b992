/** `tessera keys list|rotate`: inspect and rotate the signing keys. */
import { SIGNING_ALGS, type SigningAlg } from '../../core/model.js';
import { printJson, printTable, when } from '../output.js';
import { need, resourceVerb, type ActionContext } from '../resource-verb.js';
import type { KeyOut } from '../api-types.js';

const ORDER = { current: 0, next: 1, retired: 2 };

async function listKeys(context: ActionContext): Promise<KeyOut[]> {
  const keys = (await (await context.target()).call<{ items: KeyOut[] }>('GET', '/keys')).body.items;
  return keys.sort((a, b) => a.alg.localeCompare(b.alg) || ORDER[a.status] - ORDER[b.status] || a.createdAt - b.createdAt);
}

function printKeys(context: ActionContext, keys: KeyOut[]): void {
  printTable(
    context.io,
    ['alg', 'status', 'kid', 'created', 'published until'],
    keys.map((k) => [k.alg, k.status, k.kid, when(k.createdAt), k.removeAfter === undefined ? '' : when(k.removeAfter)]),
    'no signing keys',
  );
}

export const keysVerb = resourceVerb({
  name: 'keys',
  summary: 'list or rotate signing keys',
  about: 'the keys that sign JWTs: each algorithm has a current key, a published next key, and retired keys kept in the JWKS until their tokens expire',
  actions: [
    {
      name: 'list',
      summary: 'list the signing keys (public facts only)',
      synopsis: '',
      async run(context) {
        need(context);
        const keys = await listKeys(context);
        if (context.json) printJson(context.io, keys);
        else printKeys(context, keys);
        return 0;
      },
    },
    {
      name: 'rotate',
      summary: 'rotate: the published next key starts signing',
      synopsis: '[--alg ES256|RS256|EdDSA]',
      details: `The current key retires but stays in the JWKS until every token it signed has
expired, and a new next key is published. Without --alg, every algorithm in use rotates.`,
      flags: { alg: { type: 'string' } },
      async run(context) {
        need(context);
        const alg = context.values.alg as string | undefined;
        if (alg !== undefined && !SIGNING_ALGS.includes(alg as SigningAlg)) throw context.usage(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
        const target = await context.target();
        const { rotated } = (
          await target.call<{ rotated: { alg: string; current: string; next: string }[] }>('POST', '/keys/rotate', { body: alg ? { alg } : {} })
        ).body;
        const keys = await listKeys(context);
        if (context.json) return (printJson(context.io, { rotated, keys }), 0);
        for (const r of rotated) context.io.out(`${r.alg}: now signing with ${r.current}; next ${r.next} published`);
        printKeys(context, keys);
        return 0;
      },
    },
  ],
});
