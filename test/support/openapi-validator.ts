/** Validates real management API responses against the served OpenAPI document (JSON Schema 2020-12). */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';

type Document = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
};

export class OpenApiValidator {
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true });
  readonly #document: Document;

  constructor(document: Document) {
    this.#document = document;
    this.#ajv.addSchema({ $id: 'tessera:components', ...document.components }, 'components');
  }

  /** Throws unless `body` matches the documented response of `method path` with `status`. */
  check(method: string, path: string, status: number, body: unknown): void {
    const operation = this.#document.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${path} is not in the OpenAPI document`);
    const response = operation.responses[String(status)];
    if (!response) throw new Error(`${method} ${path} does not document status ${status}`);
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) {
      if (body !== undefined && body !== '') throw new Error(`${method} ${path} ${status} documents no body but returned one`);
      return;
    }
    const resolved = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"tessera:components#/schemas/'));
    const validate = this.#ajv.compile(resolved);
    if (!validate(body)) {
      const errors = (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message}`).join('; ');
      throw new Error(`${method} ${path} ${status}: the response does not match the document: ${errors}\n${JSON.stringify(body).slice(0, 500)}`);
    }
  }
}
