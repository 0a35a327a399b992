/** Fetches a JSON document from the issuer, with a timeout and a size cap; never follows redirects. */

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Tessera could not be asked (network, status, body): a 503, never the client's fault. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
}

const MAX_BODY_CHARS = 1 << 20;

export async function fetchJson(fetchImpl: FetchLike, url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new UpstreamError(`${url}: ${(error as Error).message}`, { cause: error });
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new UpstreamError(`${url} answered ${response.status}`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new UpstreamError(`${url}: ${(error as Error).message}`, { cause: error });
  }
  if (text.length > MAX_BODY_CHARS) throw new UpstreamError(`${url} answered more than 1 MiB`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UpstreamError(`${url} did not answer JSON`);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
