/**
 * Action-token endpoint restrictions: "METHOD /path/pattern", shared by the server
 * (which stores them) and the resource-server SDK (which enforces them).
 *
 *   METHOD   an HTTP method in capitals, or `*` for any method;
 *   `*`      matches exactly one path segment;
 *   `/**`    at the end only: matches one or more remaining segments
 *            (`GET /calendars/**` allows `/calendars/1` and `/calendars/1/events`,
 *            not `/calendars` itself: list that pattern too if you mean it).
 *
 * Request paths are normalised strictly, and anything ambiguous is simply not allowed:
 * dot segments, encoded slashes or backslashes, double slashes, NUL and control
 * characters, invalid percent-encoding. Other escapes are decoded once; the query is
 * ignored; a trailing slash is the same path as without.
 */

export interface EndpointPattern {
  /** The pattern as written. */
  readonly source: string;
  /** An HTTP method, or `*`. */
  readonly method: string;
  /** Literal segments and `*` wildcards, without the trailing `**`. */
  readonly segments: readonly string[];
  /** True when the pattern ends in `/**`. */
  readonly rest: boolean;
}

const MAX_PATTERN_CHARS = 1024;
const PATTERN = /^(\*|[A-Z]+) (\/[^\s]*)$/;
// Printable ASCII less `%`, `?`, `#` and backslash: patterns are written decoded.
const PATTERN_PATH_CHARS = /^[\x21-\x7e\u00a0-\uffff]*$/;

/** Parses one pattern; throws a TypeError that says what is wrong with it. */
export function parseEndpointPattern(source: string): EndpointPattern {
  if (typeof source !== 'string' || source.length > MAX_PATTERN_CHARS) throw new TypeError('an endpoint pattern must be a string of at most 1024 characters');
  const match = PATTERN.exec(source);
  if (!match) throw new TypeError(`endpoint pattern "${source}" must read "METHOD /path" (METHOD in capitals or *)`);
  const [, method, path] = match as unknown as [string, string, string];
  if (!PATTERN_PATH_CHARS.test(path) || /[%?#\\]/.test(path)) {
    throw new TypeError(`endpoint pattern "${source}": the path may not contain %, ?, #, backslashes or control characters`);
  }
  const parts = splitSegments(path);
  if (!parts) throw new TypeError(`endpoint pattern "${source}": empty segments (//) are not allowed`);
  let rest = false;
  if (parts.at(-1) === '**') {
    rest = true;
    parts.pop();
  }
  for (const part of parts) {
    if (part === '.' || part === '..') throw new TypeError(`endpoint pattern "${source}": dot segments are not allowed`);
    if (part === '**') throw new TypeError(`endpoint pattern "${source}": ** is only allowed as the last segment`);
    if (part !== '*' && part.includes('*')) throw new TypeError(`endpoint pattern "${source}": * must be a whole segment`);
  }
  return { source, method, segments: parts, rest };
}

/** "/a/b/" → ["a", "b"]; "/" → []; undefined when there is an empty segment. */
function splitSegments(path: string): string[] | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === '/') return [];
  const parts = trimmed.slice(1).split('/');
  return parts.includes('') ? undefined : parts;
}

// Raw request targets are ASCII: anything else, and `#` or a backslash, is refused.
const RAW_PATH_CHARS = /^\/[\x21-\x7e]*$/;
const ENCODED_SEPARATOR = /%(2f|5c)/i;
const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (they are refused)
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The decoded segments of a request path (query ignored), or undefined when the path
 * is one that different servers could read differently.
 */
export function normalizeRequestPath(rawPath: string): string[] | undefined {
  if (typeof rawPath !== 'string') return undefined;
  const queryAt = rawPath.indexOf('?');
  const path = queryAt === -1 ? rawPath : rawPath.slice(0, queryAt);
  if (!RAW_PATH_CHARS.test(path) || /[#\\]/.test(path)) return undefined;
  if (ENCODED_SEPARATOR.test(path) || BAD_ESCAPE.test(path)) return undefined;
  const parts = splitSegments(path);
  if (!parts) return undefined;
  const decoded: string[] = [];
  for (const part of parts) {
    if (part === '.' || part === '..') return undefined;
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return undefined; // percent-encoded bytes that are not UTF-8
    }
    if (segment === '.' || segment === '..' || segment === '' || CONTROL.test(segment)) return undefined;
    decoded.push(segment);
  }
  return decoded;
}

function matches(pattern: EndpointPattern, method: string, segments: readonly string[]): boolean {
  if (pattern.method !== '*' && pattern.method !== method) return false;
  const count = pattern.segments.length;
  if (pattern.rest ? segments.length <= count : segments.length !== count) return false;
  return pattern.segments.every((p, i) => p === '*' || p === segments[i]);
}

/**
 * True when one of the patterns allows the request. Patterns given as strings that do
 * not parse allow nothing (fail closed); parse them with parseEndpointPattern to be told.
 */
export function endpointAllowed(patterns: readonly (string | EndpointPattern)[], method: string, rawPath: string): boolean {
  const segments = normalizeRequestPath(rawPath);
  if (!segments || typeof method !== 'string') return false;
  const verb = method.toUpperCase();
  return patterns.some((p) => {
    if (typeof p !== 'string') return matches(p, verb, segments);
    try {
      return matches(parseEndpointPattern(p), verb, segments);
    } catch {
      return false;
    }
  });
}
