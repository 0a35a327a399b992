/** `tessera export`: print the configuration as YAML (secrets as hashes only). */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { exportConfig } from '../../core/config/export.js';
import { openEngine } from '../open-engine.js';
import { COMMON_FLAGS, parseFlags } from '../parse-flags.js';
import { describeLocal } from '../target.js';
import type { Verb } from './verb.js';

export const exportVerb: Verb = {
  name: 'export',
  summary: 'write the configuration back as YAML or JSON',
  usage: `tessera export [--out FILE] [--format yaml|json | --json] [--data DIR]

Writes every API, client, user and role. Client secrets and passwords appear only as
hashes, valid for the installation (master key) that made them.`,
  async run(args, io) {
    const { values } = parseFlags(args, {
      data: COMMON_FLAGS.data,
      help: COMMON_FLAGS.help,
      out: { type: 'string', short: 'o' },
      format: { type: 'string', default: 'yaml' },
      json: { type: 'boolean' },
    });
    if (values.help) return (io.out(this.usage), 0);
    if (values.json) values.format = 'json';
    if (values.format !== 'yaml' && values.format !== 'json') {
      return (io.err(`error: --format must be yaml or json, got ${values.format}`), 2);
    }
    const { engine, store, settings } = await openEngine(values);
    io.err(describeLocal(settings));
    try {
      const config = await exportConfig(store);
      const text = values.format === 'json' ? `${JSON.stringify(config, null, 2)}\n` : stringify(config);
      if (values.out) writeFileSync(values.out, text, { mode: 0o600 });
      else io.out(text.trimEnd());
      return 0;
    } finally {
      await engine.close();
      await store.close();
    }
  },
};
