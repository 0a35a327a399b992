/**
 * The password-hash floor of the authorization-code flow: how long one sign-in's
 * password check takes on one core, alone. scrypt with Tessera's parameters
 * (N=2^15, r=8, p=1, 32-byte key) over the bench user's stored hash, in a loop.
 * Prints one JSON line: { usPerHash, hashesPerSecond, seconds, count, processCpuMicros }.
 *
 *   node lib/scrypt-rate.mjs [seconds=2]
 */
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { PASSWORD, PASSWORD_HASH } from './fixtures.mjs';

const seconds = Number(process.argv[2] ?? 2);
const [, params, salt, hash] = PASSWORD_HASH.split('$');
const { N, r, p } = Object.fromEntries(params.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
const expected = Buffer.from(hash, 'base64url');
const saltBytes = Buffer.from(salt, 'base64url');
const check = () => timingSafeEqual(scryptSync(PASSWORD, saltBytes, expected.length, { N, r, p, maxmem: 256 * N * r }), expected);

if (!check()) throw new Error('the bench password does not match its hash');
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
const deadline = started + BigInt(Math.round(seconds * 1e9));
let count = 0;
let now = started;
while (now < deadline || count < 5) {
  check();
  count++;
  now = process.hrtime.bigint();
}
const elapsed = Number(now - started) / 1e9;
const loopCpu = process.cpuUsage(cpuBefore);
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({
    usPerHash: ((loopCpu.user + loopCpu.system) / count),
    wallUsPerHash: (elapsed * 1e6) / count,
    hashesPerSecond: count / elapsed,
    seconds: elapsed,
    count,
    processCpuMicros: cpu.user + cpu.system,
  })}\n`,
);
