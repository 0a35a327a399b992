/**
 * Calls to a running Tessera server's OAuth endpoints, for the developer tools when
 * they work through a server rather than on the local store (the CLI's --server mode).
 */

export function decodeClaims(jwt: string): Record<string, unknown> | undefined {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as unknown;
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A form POST to one of the server's OAuth endpoints, as the client (HTTP Basic, then client_secret_post). */
export async function postForm(server: string, path: string, clientId: string, secret: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const attempt = async (basic: boolean) => {
    const body = new URLSearchParams(basic ? form : { ...form, client_id: clientId, client_secret: secret });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (basic) headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(`${server}${path}`, { method: 'POST', headers, body });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new Error(`cannot reach ${server}: ${cause?.code ?? (error as Error).message}`);
    }
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new Error(`${server}${path} answered ${response.status}, not JSON: is ${server} a Tessera server?`);
    }
    return { status: response.status, json };
  };
  let result = await attempt(true);
  if (result.status === 401 && /registered for client_secret_post/.test(String(result.json.error_description))) result = await attempt(false);
  if (result.status !== 200) {
    throw new Error(`${path} refused (${result.status}): ${String(result.json.error ?? 'error')}: ${String(result.json.error_description ?? '')}`.trimEnd());
  }
  return result.json;
}

export async function getJson(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new Error(`cannot reach ${url}: ${cause?.code ?? (error as Error).message}`);
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}
