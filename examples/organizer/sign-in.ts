/**
 * The demo's stand-in for a person at a browser: opens an authorization URL, signs in
 * on Tessera's page, presses Allow on the consent page, and returns the parameters the
 * app receives at its redirect URI. Cookies are kept, so one sign-in serves every app.
 *
 * Only for the walkthrough: real apps send a real browser to the same URL.
 */
export interface Callback {
  params: Record<string, string>;
  /** What the "person" saw on the way: 'sign-in', 'consent'. */
  pages: string[];
}

interface Page {
  status: number;
  location: string | undefined;
  html: string;
}

export class ScriptedBrowser {
  readonly #cookies = new Map<string, string>();
  readonly #username: string;
  readonly #password: string;

  constructor(username: string, password: string) {
    this.#username = username;
    this.#password = password;
  }

  async #request(url: string, form?: Record<string, string>): Promise<Page> {
    const headers: Record<string, string> = {};
    if (this.#cookies.size > 0) headers.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers,
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      if (/max-age=0/i.test(line)) this.#cookies.delete(pair.slice(0, eq));
      else this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = response.headers.get('location');
    return { status: response.status, location: location === null ? undefined : new URL(location, url).href, html: await response.text() };
  }

  /** Follows redirects while they stay on the authorization server. */
  async #follow(page: Page, issuer: string): Promise<Page> {
    let current = page;
    for (let hops = 0; current.location?.startsWith(`${issuer}/`) && hops < 10; hops++) current = await this.#request(current.location);
    return current;
  }

  async #submit(page: Page, issuer: string, fields: Record<string, string>): Promise<Page> {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page.html);
    if (!form) throw new Error(`expected a form on Tessera's page (status ${page.status})`);
    const hidden: Record<string, string> = {};
    for (const input of form[2]!.matchAll(/<input[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      if (name && /type="hidden"/.test(input[0])) hidden[name] = decodeEntities(/value="([^"]*)"/.exec(input[0])?.[1] ?? '');
    }
    const action = new URL(decodeEntities(form[1]!), issuer).href;
    return this.#follow(await this.#request(action, { ...hidden, ...fields }), issuer);
  }

  /** Runs the flow of `authorizationUrl` to the app's redirect URI. */
  async authorize(issuer: string, authorizationUrl: string): Promise<Callback> {
    const pages: string[] = [];
    let page = await this.#follow(await this.#request(authorizationUrl), issuer);
    if (/name="password"/.test(page.html)) {
      pages.push('sign-in');
      page = await this.#submit(page, issuer, { username: this.#username, password: this.#password });
      if (/name="password"/.test(page.html)) throw new Error(`signing in as ${this.#username} failed`);
    }
    if (/name="decision"/.test(page.html)) {
      pages.push('consent');
      page = await this.#submit(page, issuer, { decision: 'allow' });
    }
    if (!page.location)
      throw new Error(
        `expected a redirect to the app, got ${page.status}: ${page.html
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .slice(0, 200)}`,
      );
    const url = new URL(page.location);
    const params = Object.fromEntries(url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams);
    return { params, pages };
  }
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
