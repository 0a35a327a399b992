/**
 * Section f: the resource-server SDK in process (lib/sdk.mjs on the server core), its
 * cold and warm verification against the node:crypto verify floor. No server, no load.
 */
import { leastDisturbed } from '../lib/least-disturbed.mjs';
import { ROOT } from '../lib/paths.mjs';
import { pinnedChild } from '../lib/pinned-child.mjs';
import { SDK_SECONDS } from '../lib/settings.mjs';

/** f. The resource-server SDK in process (lib/sdk.mjs), against the node:crypto verify floor. */
export async function sdkSection() {
  const r = await leastDisturbed('sdk', async () => pinnedChild('sdk.mjs', [JSON.stringify({ root: ROOT, seconds: SDK_SECONDS })]));
  return { id: 'sdk', title: 'f. resource-server SDK in process: authenticate() on one core, sequential awaits', sdk: r, failures: r.failures, disturbed: r.disturbed, results: [r] };
}
