/**
 * The reference sections of the docs that are generated, not written: in
 * docs/configuration.md, the server settings table (from setting-declarations.ts) and
 * the configuration file reference (from the zod schemas); and the file's JSON Schema,
 * docs/tessera-config.schema.json. `npm run docs` writes them (scripts/docs.ts); a test
 * fails when the committed files differ from what this module generates.
 *
 * A generated section sits between two marker lines, `<!-- BEGIN GENERATED name ... -->`
 * and `<!-- END GENERATED name -->`; the text around them is written by hand.
 */
import { configJsonSchema } from '../core/config/json-schema.js';
import { configReference } from '../core/config/config-reference.js';
import { SERVER_SETTINGS, type SettingDeclaration } from './setting-declarations.js';
import { settingDefault, settingsTable } from './settings-reference.js';

export const CONFIGURATION_DOC = 'docs/configuration.md';
export const CONFIG_JSON_SCHEMA = 'docs/tessera-config.schema.json';

/** Replaces what stands between the markers of section `name` in `text`. */
export function spliceSection(text: string, name: string, content: string): string {
  const begin = new RegExp(`^<!-- BEGIN GENERATED ${name}\\b.*-->$`, 'm').exec(text);
  const end = text.indexOf(`<!-- END GENERATED ${name} -->`);
  if (!begin || end < begin.index) throw new Error(`no <!-- BEGIN GENERATED ${name} --> ... <!-- END GENERATED ${name} --> markers`);
  const from = begin.index + begin[0].length;
  return `${text.slice(0, from)}\n${content}\n${text.slice(end)}`;
}

/** Defaults of `server:` keys, which the server applies (the file's schema has none). */
function serverDefault(path: string): string | undefined {
  const declaration = (Object.values(SERVER_SETTINGS) as SettingDeclaration[]).find((d) => d.config !== undefined && `server.${d.config}` === path);
  const text = declaration && settingDefault(declaration);
  return text ? text : undefined;
}

/** Every generated file, by path, given how to read the current one (for the hand-written parts). */
export function generatedDocs(read: (path: string) => string): Record<string, string> {
  let configuration = read(CONFIGURATION_DOC);
  configuration = spliceSection(configuration, 'settings', settingsTable());
  configuration = spliceSection(configuration, 'config-reference', configReference({ defaultOf: serverDefault }));
  return {
    [CONFIGURATION_DOC]: configuration,
    [CONFIG_JSON_SCHEMA]: `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
  };
}
