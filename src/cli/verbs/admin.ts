/** `tessera admin create`: add an administrator (a user with the tessera-admin role). */
import { randomBytes } from 'node:crypto';
import { createAdmin } from '../../management/bootstrap.js';
import { openEngine } from '../open-engine.js';
import { COMMON_FLAGS, parseFlags } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';
import { describeLocal } from '../target.js';
import type { Verb } from './verb.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export const adminVerb: Verb = {
  name: 'admin',
  summary: 'create administrators',
  usage: `tessera admin create USERNAME [--password-stdin] [--data DIR] [--issuer URL] [--json]

Creates USERNAME (or promotes an existing user) with the tessera-admin role, which
holds every management API scope. The password is read from standard input with
--password-stdin, or generated and printed once.`,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { data: COMMON_FLAGS.data, issuer: COMMON_FLAGS.issuer, help: COMMON_FLAGS.help, 'password-stdin': { type: 'boolean' }, json: { type: 'boolean' } },
      true,
    );
    if (values.help) return (io.out(this.usage), 0);
    const [action, username] = positionals;
    if (action !== 'create' || !username) throw new UsageError('usage: tessera admin create USERNAME');
    const password = values['password-stdin'] ? await readStdin() : randomBytes(18).toString('base64url');
    if (password.length < 8) throw new UsageError('the password must be at least 8 characters');
    const { engine, store, settings } = await openEngine(values);
    io.err(describeLocal(settings));
    try {
      await createAdmin(engine, username, password);
      if (values.json) return (io.out(JSON.stringify({ username, ...(values['password-stdin'] ? {} : { password }) })), 0);
      io.out(`${username} is an administrator`);
      if (!values['password-stdin']) io.out(`password (shown once): ${password}`);
      return 0;
    } finally {
      await engine.close();
      await store.close();
    }
  },
};
