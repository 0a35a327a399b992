/** Calls the management API over HTTP as a given token, checking every answer against the served OpenAPI document. */
import { OpenApiValidator } from './openapi-validator.js';
import type { TestServer } from './test-server.js';

export interface ManagementAnswer {
  status: number;
  headers: Headers;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** `call(token, method, template, body?, params?)`: `template` is the OpenAPI path, `{name}`s filled from `params`. */
export async function managementCaller(server: TestServer) {
  const document = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
  const validator = new OpenApiValidator(document as ConstructorParameters<typeof OpenApiValidator>[0]);
  return async function call(token: string, method: string, template: string, body?: unknown, params: Record<string, string> = {}): Promise<ManagementAnswer> {
    let path = template;
    for (const [name, value] of Object.entries(params)) path = path.replace(`{${name}}`, encodeURIComponent(value));
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as ManagementAnswer['body']) : undefined;
    validator.check(method, template, response.status, parsed);
    return { status: response.status, headers: response.headers, body: parsed! };
  };
}
