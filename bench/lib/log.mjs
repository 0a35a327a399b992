/**
 * Progress and warnings go to stderr, so that stdout holds only the report (or the
 * JSON with --json).
 */
export const log = (line) => process.stderr.write(`${line}\n`);
