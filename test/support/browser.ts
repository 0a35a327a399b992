/**
 * A minimal browser for black-box tests of the sign-in flow: keeps cookies, follows
 * nothing on its own, and reads the forms of the pages Tessera serves.
 */
export interface Page {
  status: number;
  location?: string;
  html: string;
  headers: Headers;
}

export interface Form {
  action: string;
  fields: Record<string, string>;
  buttons: { name: string; value: string }[];
}

export class TestBrowser {
  readonly cookies = new Map<string, string>();

  #remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  #cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  async get(url: string): Promise<Page> {
    const response = await fetch(url, { redirect: 'manual', headers: this.#cookieHeader() });
    this.#remember(response.headers);
    return { status: response.status, location: response.headers.get('location') ?? undefined, html: await response.text(), headers: response.headers };
  }

  async post(url: string, fields: Record<string, string>): Promise<Page> {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.#cookieHeader() },
      body: new URLSearchParams(fields),
    });
    this.#remember(response.headers);
    return { status: response.status, location: response.headers.get('location') ?? undefined, html: await response.text(), headers: response.headers };
  }

  /** Follows redirects while they stay on `origin` (the authorization server). */
  async follow(page: Page, origin: string): Promise<Page> {
    let current = page;
    while (current.location && current.location.startsWith(origin)) current = await this.get(current.location);
    return current;
  }
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export function readForm(html: string): Form {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form on the page:\n${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name && /type="hidden"/.test(input[0])) fields[name] = decode(value);
  }
  const buttons = [...form[2]!.matchAll(/<button[^>]*name="([^"]*)"[^>]*value="([^"]*)"/g)].map((m) => ({ name: m[1]!, value: m[2]! }));
  return { action: decode(form[1]!), fields, buttons };
}

/** The parameters of a redirect to the client, from its query or fragment. */
export function callbackParams(location: string): Record<string, string> {
  const url = new URL(location);
  const source = url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
  return Object.fromEntries(source);
}
