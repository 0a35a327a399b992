/** Escaping for HTML text and attribute values: every dynamic value goes through `escape`. */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// biome-ignore lint/suspicious/noShadowRestrictedNames: the pages' one HTML escaper; the global escape() is deprecated and unused here
export function escape(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A tagged template that escapes interpolated values unless they are already `Html`. */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    const rendered = Array.isArray(value)
      ? value.map((v) => (v instanceof Html ? v.value : escape(v))).join('')
      : value instanceof Html
        ? value.value
        : escape(value);
    out += rendered + strings[i + 1]!;
  });
  return new Html(out);
}
