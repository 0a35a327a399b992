/** Strict flag parsing on node:util: unknown flags and missing values are usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagSpec>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    // node:util's message, to its first sentence ("Unknown option '--bogus'").
    throw new UsageError(
      (error as Error).message
        .split('\n')[0]!
        .replace(/^TypeError \[\w+\]: /, '')
        .replace(/\. To specify a positional argument.*$/, ''),
    );
  }
}

export function portFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got ${value}`);
  return port;
}

export const COMMON_FLAGS = {
  data: { type: 'string' },
  config: { type: 'string' },
  issuer: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpec;
