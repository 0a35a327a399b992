/**
 * The engine's view of an HTTP request and response: plain data, no framework.
 * src/http adapts node:http to these; tests can build them directly.
 */
import { invalidRequest } from './errors.js';

/** Repeatable parameters (RFC 8707 `resource`); every other one must appear once (RFC 6749 §3.1). */
const REPEATABLE = new Set(['resource', 'audience']);

/** Form or query parameters with RFC 6749's rules: no repeats, empty means absent. */
export class Params {
  readonly #values: Map<string, string[]>;

  constructor(entries: Iterable<[string, string]>) {
    this.#values = new Map();
    for (const [key, value] of entries) {
      const list = this.#values.get(key);
      if (list) list.push(value);
      else this.#values.set(key, [value]);
    }
  }

  static fromUrlEncoded(text: string): Params {
    return new Params(new URLSearchParams(text));
  }

  /** The single value of a parameter; absent when missing or empty. Repeats are an error. */
  get(name: string): string | undefined {
    const list = this.#values.get(name);
    if (!list) return undefined;
    if (list.length > 1 && !REPEATABLE.has(name)) throw invalidRequest(`parameter ${name} must not be repeated`);
    return list[0] === '' ? undefined : list[0];
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw invalidRequest(`missing required parameter ${name}`);
    return value;
  }

  getAll(name: string): string[] {
    return (this.#values.get(name) ?? []).filter((v) => v !== '');
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every name and value as received, repeats included (to store or re-read a request). */
  entries(): [string, string][] {
    return [...this.#values].flatMap(([key, values]) => values.map((value): [string, string] => [key, value]));
  }
}

export interface EngineRequest {
  method: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  params: Params;
  /** The absolute URL this endpoint is reached at (for client-assertion audiences). */
  endpointUrl: string;
  /** Request cookies by name (browser endpoints). */
  cookies?: Record<string, string>;
  /** The client's address, for sign-in throttling and the audit log. */
  ip?: string;
  /** The request's id (X-Request-Id), so audit records can be matched with log lines. */
  requestId?: string;
  /** A parsed application/json body, on the few endpoints that take one instead of a form. */
  json?: unknown;
  /** Values captured from the path, e.g. the interaction id. */
  pathParams?: Record<string, string>;
}

export interface SetCookie {
  name: string;
  value: string;
  /** Seconds; 0 deletes the cookie; absent makes a session cookie. */
  maxAge?: number;
}

export interface EngineResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialisable body, or undefined for an empty body. */
  body?: unknown;
  /** An HTML page instead of JSON (browser endpoints). */
  html?: string;
  /** Plain text instead of JSON (metrics); Content-Type from `headers`. */
  text?: string;
  setCookies?: SetCookie[];
}
