/**
 * The shape of the resource commands: `tessera <resource> <action> [ARGS] [flags]`.
 * Each action declares its flags (parsed strictly: an unknown flag is a usage error),
 * its help, and a run function that gets the target (target.ts) opened on first use
 * and closed afterwards. `--help` works on the resource and on every action.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { parseFlags, type FlagSpec } from './parse-flags.js';
import { openTarget, TARGET_FLAGS, TARGET_HELP, type Target } from './target.js';
import { UsageError } from './usage-error.js';
import type { Io, Verb } from './verbs/verb.js';

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface ActionContext {
  io: Io;
  values: FlagValues;
  positionals: string[];
  json: boolean;
  /** The store or server to work on; opened (and announced) on first use. */
  target(): Promise<Target>;
  /** A usage error that points at this action's help. */
  usage(message: string): UsageError;
}

export interface Action {
  name: string;
  summary: string;
  /** The synopsis, without the leading `tessera <resource> <action>`. */
  synopsis: string;
  /** Flag descriptions and notes, shown by `--help`. */
  details?: string;
  flags?: FlagSpec;
  /** Works on the local store only (no --server). */
  localOnly?: boolean;
  // biome-ignore lint/suspicious/noConfusingVoidType: an action may end without a return (exit code 0)
  run(context: ActionContext): Promise<number | void>;
}

export interface ResourceSpec {
  name: string;
  summary: string;
  about: string;
  actions: Action[];
  /** A pointer for an unknown action, e.g. to another command. */
  hint?: (action: string) => string | undefined;
}

function actionHelp(resource: ResourceSpec, action: Action): string {
  return [
    `tessera ${resource.name} ${action.name} ${action.synopsis}`.trimEnd(),
    '',
    action.summary,
    ...(action.details ? ['', action.details] : []),
    '',
    action.localOnly ? 'Works on the local store (--data DIR, default ./.tessera); --json for machine-readable output.' : TARGET_HELP,
  ].join('\n');
}

function resourceHelp(resource: ResourceSpec): string {
  const width = Math.max(...resource.actions.map((a) => a.name.length));
  return [
    `tessera ${resource.name}: ${resource.about}`,
    '',
    ...resource.actions.map((a) => `  tessera ${resource.name} ${a.name.padEnd(width)}  ${a.summary}`),
    '',
    `Run \`tessera ${resource.name} <action> --help\` for an action's arguments and flags.`,
    '',
    TARGET_HELP,
  ].join('\n');
}

export function resourceVerb(resource: ResourceSpec): Verb {
  const names = resource.actions.map((a) => a.name);
  const list = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return {
    name: resource.name,
    summary: resource.summary,
    get usage() {
      return resourceHelp(resource);
    },
    async run(args, io) {
      const [first, ...rest] = args;
      if (first === undefined) throw new UsageError(`${resource.name} takes an action: ${list}`);
      if (first === '--help' || first === '-h' || first === 'help') return (io.out(resourceHelp(resource)), 0);
      const action = resource.actions.find((a) => a.name === first);
      if (!action) {
        const hint = resource.hint?.(first);
        if (hint) throw new UsageError(`${resource.name} has no action "${first}": ${hint}`);
        throw new UsageError(
          first.startsWith('-') ? `${resource.name} takes an action first: ${list}` : `${resource.name} has no action "${first}"; it takes ${list}`,
        );
      }
      const command = `${resource.name} ${action.name}`;
      const flags: FlagSpec = action.localOnly
        ? { data: TARGET_FLAGS.data, json: TARGET_FLAGS.json, help: TARGET_FLAGS.help, ...action.flags }
        : { ...TARGET_FLAGS, ...action.flags };
      let parsed: ReturnType<typeof parseFlags>;
      try {
        parsed = parseFlags(rest, flags, true);
      } catch (error) {
        throw new UsageError((error as Error).message, command);
      }
      const values = parsed.values as FlagValues;
      if (values.help) return (io.out(actionHelp(resource, action)), 0);
      let target: Target | undefined;
      const context: ActionContext = {
        io,
        values,
        positionals: parsed.positionals,
        json: values.json === true,
        usage: (message) => new UsageError(message, command),
        target: async () => (target ??= await openTarget(action.localOnly ? { ...values, local: true } : values, io)),
      };
      try {
        return (await action.run(context)) ?? 0;
      } catch (error) {
        // Errors name the action they come from (main.ts prints `tessera <command>: ...`).
        if (error instanceof Error && (error as { command?: string }).command === undefined) (error as { command?: string }).command = command;
        throw error;
      } finally {
        await target?.close();
      }
    },
  };
}

/** Exactly the positional arguments named, e.g. `need(ctx, 'IDENTIFIER')`. */
export function need(context: ActionContext, ...names: string[]): string[] {
  if (context.positionals.length < names.length) throw context.usage(`missing ${names.slice(context.positionals.length).join(' ')}`);
  if (context.positionals.length > names.length) throw context.usage(`unexpected argument ${context.positionals[names.length]}`);
  return context.positionals;
}

/** At most the positional arguments named; the missing ones are undefined. */
export function upTo(context: ActionContext, ...names: string[]): (string | undefined)[] {
  if (context.positionals.length > names.length) throw context.usage(`unexpected argument ${context.positionals[names.length]}`);
  return names.map((_, i) => context.positionals[i]);
}

export const BODY_FLAGS = {
  file: { type: 'string', short: 'f' },
  'json-body': { type: 'string' },
} as const satisfies FlagSpec;

export const BODY_HELP = `  --file FILE       the body as YAML or JSON, with the fields of the configuration file /
                    the management API (docs/); flags given as well override its fields
  --json-body JSON  the same, inline`;

/** The request body from --file or --json-body, if given. */
export function bodyFrom(context: ActionContext): Record<string, unknown> | undefined {
  const file = context.values.file as string | undefined;
  const inline = context.values['json-body'] as string | undefined;
  if (file !== undefined && inline !== undefined) throw context.usage('give --file or --json-body, not both');
  let raw: unknown;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    try {
      raw = parseYaml(text);
    } catch (error) {
      throw new ConfigError(`${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file}: expected one object (a mapping of fields)`);
  } else if (inline !== undefined) {
    try {
      raw = JSON.parse(inline);
    } catch {
      throw context.usage('--json-body is not valid JSON');
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw context.usage('--json-body must be a JSON object');
  } else return undefined;
  return raw as Record<string, unknown>;
}

/** Repeated flags, each of which may also hold a space- or comma-separated list. */
export function listFlag(value: string | boolean | string[] | undefined): string[] | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
}

/** A pair of flags `--X` / `--no-X`: true, false, or undefined when neither was given. */
export function switchFlag(context: ActionContext, name: string): boolean | undefined {
  const on = context.values[name] === true;
  const off = context.values[`no-${name}`] === true;
  if (on && off) throw context.usage(`give --${name} or --no-${name}, not both`);
  return on ? true : off ? false : undefined;
}

export const switchFlags = (...names: string[]): FlagSpec =>
  Object.fromEntries(
    names.flatMap((n) => [
      [n, { type: 'boolean' }],
      [`no-${n}`, { type: 'boolean' }],
    ]),
  );

/** Reads a secret from standard input (one line; the trailing newline dropped). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
