/**
 * Section f's table: the SDK's cold, warm and PAT verification rates against the
 * node:crypto ES256 verify floor.
 */
import { SERVER_CPU } from '../lib/settings.mjs';
import { fmt, table } from './format.mjs';

export function sdkReport(r) {
  const out = [];
  const floor = r.floor.perSecond;
  const headers = ['what', 'per second', 'µs each', 'vs floor'];
  const rows = [
    ['node:crypto ES256 verify (floor)', fmt.int(floor), fmt.ms(r.floor.usEach), '100.0%'],
    ['JWT cold: a new ES256 token each time', fmt.int(r.cold.perSecond), fmt.ms(r.cold.usEach), fmt.pct(r.cold.perSecond / floor)],
    ['JWT warm: the same token (SDK cache)', fmt.int(r.warm.perSecond), fmt.ms(r.warm.usEach), fmt.x(r.warm.perSecond / floor)],
    ['PAT, introspection cache warm', fmt.int(r.pat.perSecond), fmt.ms(r.pat.usEach), fmt.x(r.pat.perSecond / floor)],
  ];
  out.push(table(headers, rows).replace(/^/gm, '  '));
  out.push(
    `  one process on CPU ${SERVER_CPU}, no network: the issuer is an injected fetch (JWKS fetched ${r.jwksFetches} time(s), ${r.introspections} introspection(s)); ` +
      `cold tokens are pre-signed (${fmt.int(r.coldTokens)}), their signing not measured; ${r.failures} refused`,
  );
  if (r.disturbed) out.push(`  (~) perturbed: other processes used ${fmt.int(r.foreignServerCorePercent)}% of the core during these loops`);
  if (r.failures) out.push(`  !!! ${r.failures} credentials were refused: do not trust these figures`);
  return out;
}
