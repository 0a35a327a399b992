/** `tessera migrate`: apply pending schema migrations and report the schema version. */
import { openData } from '../open-engine.js';
import { COMMON_FLAGS, parseFlags } from '../parse-flags.js';
import { describeLocal } from '../target.js';
import type { Verb } from './verb.js';

export const migrateVerb: Verb = {
  name: 'migrate',
  summary: 'apply pending database migrations',
  usage: `tessera migrate [--data DIR] [--json]

Applies pending schema migrations (start does this too) and prints the version.`,
  async run(args, io) {
    const { values } = parseFlags(args, { data: COMMON_FLAGS.data, help: COMMON_FLAGS.help, json: { type: 'boolean' } });
    if (values.help) return (io.out(this.usage), 0);
    const { store, settings } = await openData(values);
    io.err(describeLocal(settings));
    try {
      const applied = await store.migrate();
      const version = await store.schemaVersion();
      if (values.json) return (io.out(JSON.stringify({ applied, version: version.database, store: store.kind })), 0);
      io.out(applied.length > 0 ? `applied migrations ${applied.join(', ')}` : 'schema is up to date');
      io.out(`schema version ${version.database} (${store.kind})`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
