/** `tessera schema`: print the configuration file's JSON Schema, for editors. */
import { configJsonSchema } from '../../core/config/json-schema.js';
import { COMMON_FLAGS, parseFlags } from '../parse-flags.js';
import type { Verb } from './verb.js';

export const schemaVerb: Verb = {
  name: 'schema',
  summary: "print the configuration file's JSON Schema (for editors)",
  usage: `tessera schema

Prints the JSON Schema of the configuration file (the one docs/tessera-config.schema.json
holds for this version). Point your editor at it, e.g. with the first line of the file:
  # yaml-language-server: $schema=./docs/tessera-config.schema.json
Rules that span fields (a client's redirect URIs for its grant types...) are checked
by tessera apply, not by the schema.`,
  async run(args, io) {
    const { values } = parseFlags(args, { help: COMMON_FLAGS.help });
    if (values.help) return (io.out(this.usage), 0);
    io.out(JSON.stringify(configJsonSchema(), null, 2));
    return 0;
  },
};
