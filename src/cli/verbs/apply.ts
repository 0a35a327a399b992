/** `tessera apply FILE`: upsert APIs, clients, users and roles from a YAML or JSON file. */
import { cliActor } from '../cli-actor.js';
import { loadConfigAgainst, openEngine } from '../open-engine.js';
import { readConfigText } from '../read-settings.js';
import { COMMON_FLAGS, parseFlags } from '../parse-flags.js';
import { describeLocal } from '../target.js';
import { UsageError } from '../usage-error.js';
import { describeSummary } from '../../core/config/describe-summary.js';
import type { Verb } from './verb.js';

export const applyVerb: Verb = {
  name: 'apply',
  summary: 'apply a configuration file (idempotent)',
  usage: `tessera apply FILE [--data DIR] [--issuer URL] [--json]

Creates or updates the APIs, clients, users and roles described in FILE (YAML or
JSON, schema in docs/configuration.md). Applying the same file again changes
nothing. Works on the local store (the server picks changes up within a second);
--json prints the counts and the changes made.`,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { data: COMMON_FLAGS.data, issuer: COMMON_FLAGS.issuer, help: COMMON_FLAGS.help, json: { type: 'boolean' } },
      true,
    );
    if (values.help) return (io.out(this.usage), 0);
    if (positionals.length !== 1) throw new UsageError('apply takes exactly one FILE');
    const file = positionals[0]!;
    const text = readConfigText(file);
    const { engine, store, warnings, settings } = await openEngine(values);
    io.err(describeLocal(settings));
    for (const warning of warnings) io.err(`warning: ${warning}`);
    try {
      const summary = await engine.apply(await loadConfigAgainst(store, text, file), cliActor());
      if (values.json) io.out(JSON.stringify({ file, ...summary }, null, 2));
      else io.out(describeSummary(file, summary));
      return 0;
    } finally {
      await engine.close();
      await store.close();
    }
  },
};
