/**
 * The configuration file's reference (docs/configuration.md), generated from the same
 * JSON Schema editors use (json-schema.ts), so from the zod schemas that validate the
 * file: one table per top-level section, a row per key with its type, bounds, default
 * and the schema's description. Like management/openapi.ts for the API, the reference
 * cannot drift from what `tessera apply` accepts.
 */
import { configJsonSchema } from './json-schema.js';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  title?: string;
  description?: string;
  default?: unknown;
}

export interface ReferenceOptions {
  /** A default for a key whose schema has none (server settings default in the server, not the file): `server.port` → "9000". */
  defaultOf?: (path: string) => string | undefined;
}

/** Table-cell text: a `|` would end the cell and a `<name>` would read as an HTML tag. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');

const isObject = (s: JsonSchema) => s.properties !== undefined;

/** zod bounds an unbounded integer by the safe-integer range: no bound to a reader. */
const bound = (n: number | undefined) => (n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);

function range(min: number | undefined, max: number | undefined, what = ''): string {
  const [lo, hi] = [bound(min), bound(max)];
  if (lo !== undefined && hi !== undefined) return ` ${lo}–${hi}${what}`;
  if (lo !== undefined) return ` ≥ ${lo}${what}`;
  if (hi !== undefined) return ` ≤ ${hi}${what}`;
  return '';
}

/** "integer 1–1000", "`jwt` or `reference`", "list of string", "map of list of string". */
export function typeText(s: JsonSchema): string {
  if (s.title === 'duration') return 'duration: seconds, or "90s", "15m", "1h", "30d"';
  if (s.anyOf) return s.anyOf.map(typeText).join(' or ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (Array.isArray(s.type)) return s.type.join(' or ');
  switch (s.type) {
    case 'integer':
      return `integer${range(s.minimum, s.maximum)}`;
    case 'number':
      return `number${range(s.minimum, s.maximum)}`;
    case 'string':
      if (s.minLength === 1 && s.maxLength === undefined) return `string${s.format ? ` (${s.format})` : ''}, not empty`;
      return `string${s.format ? ` (${s.format})` : ''}${range(s.minLength, s.maxLength, ' characters')}`;
    case 'array':
      return `list of ${s.items ? typeText(s.items) : 'anything'}${s.minItems === 1 ? ', not empty' : range(s.minItems, undefined, ' items')}`;
    case 'object':
      if (isObject(s)) return 'object';
      return typeof s.additionalProperties === 'object' ? `map of ${typeText(s.additionalProperties)}` : 'object';
    case undefined:
      return 'anything';
    default:
      return s.type;
  }
}

function defaultText(s: JsonSchema, required: boolean, fallback: string | undefined): string {
  if (s.default !== undefined) return `\`${JSON.stringify(s.default)}\``;
  if (fallback !== undefined) return fallback;
  return required ? 'required' : '';
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

/** The rows of an object's keys, nested objects and lists of objects flattened to dotted keys (`jwks.keys`, `roleMappings[].claim`). */
function rows(object: JsonSchema, prefix: string, path: string, options: ReferenceOptions): Row[] {
  return Object.entries(object.properties ?? {}).flatMap(([name, s]) => {
    const key = `${prefix}${name}`;
    const at = `${path}.${name}`;
    const row: Row = {
      key,
      type: typeText(s),
      default: defaultText(s, (object.required ?? []).includes(name), options.defaultOf?.(at)),
      description: s.description ?? '',
    };
    if (isObject(s)) return [row, ...rows(s, `${key}.`, at, options)];
    if (s.type === 'array' && s.items && isObject(s.items)) return [{ ...row, type: 'list of objects' }, ...rows(s.items, `${key}[].`, `${at}[]`, options)];
    const objectVariant = s.items?.anyOf?.find(isObject);
    if (objectVariant) return [row, ...rows(objectVariant, `${key}[].`, `${at}[]`, options)];
    return [row];
  });
}

/** The reference: for each top-level section, its description and a table of its keys. */
export function configReference(options: ReferenceOptions = {}): string {
  const root = configJsonSchema() as JsonSchema;
  const sections = Object.entries(root.properties ?? {}).map(([name, s]) => {
    const list = s.type === 'array';
    const body = list ? s.items : s;
    const heading = `### \`${name}:\`${list ? ' (a list)' : ''}`;
    const lines = [heading, '', ...(s.description ? [`${s.description[0]!.toUpperCase()}${s.description.slice(1)}.`, ''] : [])];
    if (body && isObject(body)) {
      lines.push('| key | type | default | description |', '| --- | --- | --- | --- |');
      for (const r of rows(body, '', list ? `${name}[]` : name, options))
        lines.push(`| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`);
    }
    return lines.join('\n');
  });
  return sections.join('\n\n');
}
