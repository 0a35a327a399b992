/** /keys: the signing keys (public facts only) and their rotation. */
import { z } from 'zod';
import { SIGNING_ALGS, type SigningAlg } from '../../core/model.js';
import { actorOf } from '../principal.js';
import { route } from '../route.js';
import { keyOut } from '../schemas.js';

export const keyRoutes = [
  route({
    method: 'GET',
    path: '/keys',
    tag: 'Keys',
    summary: 'List signing keys',
    scope: 'read:keys',
    status: 200,
    response: z.object({ items: z.array(keyOut) }),
    async handler(engine) {
      const keys = await engine.store.listKeys();
      return {
        body: {
          items: keys.map(({ kid, alg, status, createdAt, removeAfter }) => ({
            kid,
            alg,
            status,
            createdAt,
            ...(removeAfter !== undefined ? { removeAfter } : {}),
          })),
        },
      };
    },
  }),
  route({
    method: 'POST',
    path: '/keys/rotate',
    tag: 'Keys',
    summary: 'Rotate: the published next key starts signing; the old one stays published until its tokens expire',
    scope: 'write:keys',
    status: 200,
    body: z.strictObject({ alg: z.enum(SIGNING_ALGS as [SigningAlg, ...SigningAlg[]]).optional() }),
    response: z.object({ rotated: z.array(z.object({ alg: z.string(), current: z.string(), next: z.string() })) }),
    async handler(engine, { body, principal }) {
      return { body: { rotated: await engine.rotateKeys(body.alg ? [body.alg] : undefined, actorOf(principal)) } };
    },
  }),
];
