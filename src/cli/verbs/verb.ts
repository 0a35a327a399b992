/** A `tessera` sub-command: one file per verb, listed in ../main.ts. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface Verb {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(args: string[], io: Io): Promise<number>;
}
