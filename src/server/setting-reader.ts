/**
 * Reads one declared setting (setting-declarations.ts) from its sources, highest first:
 * the flag, the environment (the current name, then the older ones with a deprecation
 * warning), the config file's `server:` section. Text from a flag or variable is
 * converted by the setting's type and checked against the same schema the config file
 * uses; a bad value is a ConfigError naming where it came from and what would do.
 * Defaults are the caller's (settings.ts), since some depend on other settings.
 */
import { z } from 'zod';
import { serverSchema } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import { type SettingDeclaration, strictNumber } from './setting-declarations.js';

export interface SettingSources {
  /** Parsed `tessera start` flags, by name: text, or a value a flag parser already converted. */
  flags?: Readonly<Record<string, unknown>>;
  env: NodeJS.ProcessEnv;
  /** The `server:` section of the config file, already validated by its schema. */
  server?: unknown;
  /** Where deprecation notices go (an old environment variable name was read). */
  warnings?: string[];
}

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  description?: string;
  default?: unknown;
};

/** The zod schema of a key under `server:` (`database.poolSize`), as declared, with its optional/default wrapper. */
function configField(path: string): z.ZodType {
  let schema: z.ZodType = serverSchema;
  for (const key of path.split('.')) {
    while (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) schema = schema.unwrap() as z.ZodType;
    if (!(schema instanceof z.ZodObject)) throw new TypeError(`server.${path}: not a key of the server section`);
    const field = (schema.shape as Record<string, z.ZodType | undefined>)[key];
    if (!field) throw new TypeError(`server.${path}: not a key of the server section`);
    schema = field;
  }
  return schema;
}

export function settingSchema(declaration: SettingDeclaration): z.ZodType | undefined {
  if (declaration.schema) return declaration.schema;
  return declaration.config !== undefined ? configField(declaration.config) : undefined;
}

const jsonCache = new WeakMap<z.ZodType, JsonSchema>();

/** The setting's type as JSON Schema (type, bounds, description, default): what messages and docs are worded from. */
export function settingJson(declaration: SettingDeclaration): JsonSchema {
  const schema = settingSchema(declaration);
  if (!schema) return {};
  let json = jsonCache.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    jsonCache.set(schema, json);
  }
  return json;
}

export function settingDescription(declaration: SettingDeclaration): string {
  return declaration.description ?? settingJson(declaration).description ?? '';
}

const listed = (items: string[]) => (items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

function wordType(json: JsonSchema, unit: string | undefined): string {
  if (json.anyOf) return listed(json.anyOf.map((variant) => wordType(variant, unit)));
  if (json.const !== undefined) return JSON.stringify(json.const);
  if (json.enum) return listed(json.enum.map(String));
  const of = unit ? ` of ${unit}` : '';
  // zod bounds an unbounded integer by the safe-integer range: that is no bound to a reader.
  const min = json.minimum !== undefined && json.minimum > Number.MIN_SAFE_INTEGER ? json.minimum : undefined;
  const max = json.maximum !== undefined && json.maximum < Number.MAX_SAFE_INTEGER ? json.maximum : undefined;
  const range =
    min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? `, at least ${min}` : max !== undefined ? `, at most ${max}` : '';
  switch (json.type) {
    case 'integer':
      return `a whole number${of}${range}`;
    case 'number':
      return `a number${of}${range}`;
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    default:
      return 'text';
  }
}

/** What a good value looks like: "a whole number of seconds from 0 to 300", "issuer-or-endpoint or issuer". */
export function settingExpectation(declaration: SettingDeclaration): string {
  return declaration.expect ?? wordType(settingJson(declaration), declaration.unit);
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

function fromText(declaration: SettingDeclaration, text: string): unknown {
  if (declaration.fromText) return declaration.fromText(text);
  const json = settingJson(declaration);
  switch (json.type) {
    case 'integer':
    case 'number':
      return strictNumber(text);
    case 'boolean': {
      const word = text.trim().toLowerCase();
      return TRUE.includes(word) ? true : FALSE.includes(word) ? false : text;
    }
    default:
      return text;
  }
}

function checked(declaration: SettingDeclaration, value: unknown, source: string, text: string): unknown {
  const schema = settingSchema(declaration);
  const result = schema ? schema.safeParse(value) : { success: true as const, data: value };
  if (!result.success) {
    const got = declaration.secret ? '' : `, got ${text}`;
    throw new ConfigError(`${source} must be ${settingExpectation(declaration)}${got}`);
  }
  return result.data;
}

function configValue(server: unknown, path: string): unknown {
  let value: unknown = server;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The environment variable that sets it, if any: the current name first; an old one adds a warning. */
function fromEnv(declaration: SettingDeclaration, sources: SettingSources): { name: string; text: string } | undefined {
  if (!declaration.env) return undefined;
  const set = (name: string) => {
    const text = sources.env[name];
    return text !== undefined && text !== '' ? text : undefined;
  };
  const current = set(declaration.env);
  for (const old of declaration.formerly ?? []) {
    if (set(old) === undefined) continue;
    sources.warnings?.push(
      current !== undefined
        ? `${old} is ignored: ${declaration.env} is set (${old} is its deprecated name)`
        : `${old} is deprecated: rename it ${declaration.env}`,
    );
    if (current === undefined) return { name: old, text: set(old)! };
  }
  return current !== undefined ? { name: declaration.env, text: current } : undefined;
}

/** The setting's value from the first source that sets it, checked; undefined when none does. */
export function readSetting<T>(declaration: SettingDeclaration, sources: SettingSources): T | undefined {
  const flagValue = declaration.flag ? sources.flags?.[declaration.flag.name] : undefined;
  if (flagValue !== undefined) {
    const source = `--${declaration.flag!.name}`;
    return (
      typeof flagValue === 'string'
        ? checked(declaration, fromText(declaration, flagValue), source, flagValue)
        : checked(declaration, flagValue, source, String(flagValue))
    ) as T;
  }
  const env = fromEnv(declaration, sources);
  if (env) return checked(declaration, fromText(declaration, env.text), env.name, env.text) as T;
  if (declaration.config !== undefined) return configValue(sources.server, declaration.config) as T | undefined;
  return undefined;
}
