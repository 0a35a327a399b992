/**
 * The crypto floor: how many ES256 signatures node:crypto makes per second on one
 * core, signing a JWT-sized input (header.payload of an RFC 9068 access token) in a
 * tight loop. Prints one JSON line: { signsPerSecond, usPerSign, seconds, count }.
 *
 *   node lib/sign-rate.mjs [seconds=2]
 * Also reports the process's whole CPU time (processCpuMicros), to tell whether
 * another process shared the core.
 */
import { generateKeyPairSync, sign } from 'node:crypto';

const seconds = Number(process.argv[2] ?? 2);
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const signingInput = Buffer.from(
  `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })}.${b64({
    iss: 'http://127.0.0.1:9000',
    sub: 'bench-client',
    aud: 'https://api.bench.example/jwt',
    exp: now + 3600,
    iat: now,
    jti: '0d6f4c1e-8f3a-4b7e-9c51-2a7e6b0f3d21',
    client_id: 'bench-client',
    scope: 'read:things',
  })}`,
);
const options = { key: privateKey, dsaEncoding: 'ieee-p1363' };

// Warm up (JIT, OpenSSL lazy init), then measure.
for (let i = 0; i < 500; i++) sign('sha256', signingInput, options);
const started = process.hrtime.bigint();
const deadline = started + BigInt(Math.round(seconds * 1e9));
let count = 0;
let now_ = started;
while (now_ < deadline) {
  for (let i = 0; i < 100; i++) sign('sha256', signingInput, options);
  count += 100;
  now_ = process.hrtime.bigint();
}
const elapsed = Number(now_ - started) / 1e9;
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ signsPerSecond: count / elapsed, usPerSign: (elapsed * 1e6) / count, seconds: elapsed, count, processCpuMicros: cpu.user + cpu.system })}\n`,
);
