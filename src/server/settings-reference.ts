/**
 * What the server settings look like to people, derived from their declarations
 * (setting-declarations.ts): the `tessera start --help` text and the settings table of
 * docs/configuration.md. Neither is written by hand, so neither can drift from parsing.
 */
import { SERVER_SETTINGS, type SettingDeclaration } from './setting-declarations.js';
import { settingDescription, settingExpectation, settingJson } from './setting-reader.js';

const DECLARATIONS: readonly SettingDeclaration[] = Object.values(SERVER_SETTINGS);

/** The default in words: "9000", "none", "generated, printed once"; empty when there is none. */
export function settingDefault(declaration: SettingDeclaration): string {
  if (declaration.defaultText !== undefined) return declaration.defaultText;
  const value = declaration.default ?? settingJson(declaration).default;
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  return String(value);
}

/** The default in a docs table: a value in code style, words as they are. */
function defaultCell(declaration: SettingDeclaration): string {
  const text = settingDefault(declaration);
  return declaration.defaultText === undefined && declaration.default !== undefined && text !== 'none' ? code(text) : cell(text);
}

/** Every old environment variable name still read, with the name that replaced it. */
export function deprecatedNames(): { old: string; current: string }[] {
  return DECLARATIONS.flatMap((d) => (d.formerly ?? []).map((old) => ({ old, current: d.env! })));
}

/** Words of `text` in lines of at most `width` characters; lines after the first start with `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lead = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    if (line.trim() !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line.trim() === '' ? line + word : `${line} ${word}`;
  }
  return [...lines, line].join('\n');
}

const WIDTH = 100;

/** The settings part of `tessera start --help`: the flags, then the environment variables. */
export function startHelp(): string {
  const flagged = DECLARATIONS.filter((d) => d.flag);
  const synopsis = `tessera start ${flagged.map((d) => `[--${d.flag!.name} ${d.flag!.value}]`).join(' ')}`;
  const flagWidth = Math.max(...flagged.map((d) => `--${d.flag!.name} ${d.flag!.value}`.length)) + 2;
  const flagLines = flagged.map((d) => {
    const notes = [settingDefault(d) && `default ${settingDefault(d)}`, d.env && `env ${d.env}`, d.config && `config server.${d.config}`].filter(Boolean);
    const text = `  ${`--${d.flag!.name} ${d.flag!.value}`.padEnd(flagWidth)}${settingDescription(d)}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    return wrap(text, WIDTH, ' '.repeat(flagWidth + 2));
  });
  const byEnv = DECLARATIONS.filter((d) => d.env && !d.flag);
  const envWidth = Math.max(...byEnv.map((d) => d.env!.length)) + 2;
  const envLines = byEnv.map((d) => {
    const notes = [settingDefault(d) && `default ${settingDefault(d)}`, d.config && `server.${d.config}`].filter(Boolean);
    return wrap(`  ${d.env!.padEnd(envWidth)}${settingDescription(d)}${notes.length ? ` (${notes.join('; ')})` : ''}`, WIDTH, ' '.repeat(envWidth + 2));
  });
  const deprecated = deprecatedNames().map(({ old, current }) => `${old} (now ${current})`);
  return [
    synopsis,
    '',
    'Runs Tessera. The first start creates the store and the signing keys. A flag wins over its',
    "environment variable, which wins over the config file's server: section (docs/configuration.md).",
    ...flagLines,
    '',
    'Environment:',
    ...envLines,
    ...(deprecated.length ? ['', wrap(`Deprecated names, still read with a warning: ${deprecated.join(', ')}.`, WIDTH, '')] : []),
  ].join('\n');
}

/** Table-cell text: a `|` would end the cell and a `<name>` would read as an HTML tag. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');
const code = (text: string | undefined) => (text ? `\`${cell(text)}\`` : '');

/** The settings table of docs/configuration.md, with the deprecated names below it. */
export function settingsTable(): string {
  const rows = DECLARATIONS.map((d) => {
    const env = d.env ? [code(d.env), ...(d.formerly ?? []).map((old) => `(formerly ${code(old)})`)].join(' ') : '';
    const flag = d.flag ? code(`--${d.flag.name}`) : '';
    const key = d.config !== undefined ? code(`server.${d.config}`) : '';
    const value = d.readIn ? '' : settingExpectation(d);
    return `| ${cell(settingDescription(d))} | ${flag} | ${env} | ${key} | ${cell(value)} | ${defaultCell(d)} |`;
  });
  const deprecated = deprecatedNames().map(({ old, current }) => `\`${old}\` → \`${current}\``);
  return [
    '| setting | flag | environment | config file | value | default |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Deprecated environment variables, still read with a warning at start (the new name wins when both are set): ${deprecated.join(', ')}.`,
  ].join('\n');
}
