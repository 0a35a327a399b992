/**
 * Which URLs name this machine: an upstream provider may use http only there (tests and
 * development). Kept apart from the zod schemas so the engine's sign-in path can ask
 * without loading the configuration schemas.
 */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackUrl(value: string): boolean {
  return LOOPBACK_HOSTS.has(new URL(value).hostname);
}
