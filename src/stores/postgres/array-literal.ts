/**
 * PostgreSQL array literals for the batched statements (`unnest($1::text[], ...)`,
 * `= ANY($1)`), written by one JSON.stringify instead of the driver's per-element
 * escaping. pg escapes every element with two regular-expression replaces and then
 * joins them: for a batch of audit records (canonical JSON documents, full of quotes)
 * that escaping and its garbage were most of the CPU of an append on PostgreSQL.
 *
 * JSON.stringify of an array of strings, finite numbers and nulls is an array literal
 * once its brackets are braces, as long as the only escapes it writes are `\"` and
 * `\\`, which mean the same in both. It writes others (`\n`, `\u0001`, `\ud800`) only
 * for control characters and lone surrogates; a batch with any of those, or with a
 * number JSON cannot write, is handed to the driver as an array, as before.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const JSON_ESCAPED = /[\u0000-\u001f\ud800-\udfff]/;

/** The literal of `values`, or `values` themselves when only the driver can write them (or they are not strings, numbers and nulls). */
export function arrayLiteral(values: readonly unknown[]): string | readonly unknown[] {
  for (const value of values) {
    if (typeof value === 'string' ? JSON_ESCAPED.test(value) : value !== null && !(typeof value === 'number' && Number.isFinite(value))) return values;
  }
  const json = JSON.stringify(values);
  return `{${json.slice(1, -1)}}`;
}
