/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  /** The command whose help to point at, e.g. `users create` (default: the verb). */
  command?: string;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    if (command !== undefined) this.command = command;
  }
}
