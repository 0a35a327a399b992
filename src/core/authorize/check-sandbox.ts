/**
 * Silent sandbox sign-in (seed 001). A client flagged `sandbox` signs users in with
 * no consent screen, and gets tokens for a sandbox subject of its own (see
 * credentials/sandbox.ts). Asking with prompt=consent is the way to the user's real
 * data: the normal consent flow, and normal tokens.
 */
import type { AuthorizeState } from './authorization-request.js';

export function checkSandbox(state: AuthorizeState): void {
  if (state.client!.sandbox && !state.request.prompt!.includes('consent')) state.request.sandbox = true;
}
