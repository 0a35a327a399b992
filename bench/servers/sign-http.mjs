/**
 * A second floor, for scenario a: the least a Node server can do to answer a
 * client_credentials request with an ES256 JWT. node:http reads the form body, one
 * ES256 signature over RFC 9068-shaped claims, a JSON answer. No client
 * authentication, no configuration lookup, no logging. Prints `listening <url>`.
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const header = b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' });

const http = createServer({ headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 5_000 }, async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const now = Math.floor(Date.now() / 1000);
  const signingInput = `${header}.${b64({
    iss: `http://127.0.0.1:${http.address().port}`,
    sub: 'bench-client',
    aud: params.get('resource'),
    exp: now + 3600,
    iat: now,
    jti: randomUUID(),
    client_id: 'bench-client',
    scope: params.get('scope'),
  })}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const body = JSON.stringify({
    access_token: `${signingInput}.${signature.toString('base64url')}`,
    token_type: 'Bearer',
    expires_in: 3600,
    scope: params.get('scope'),
  });
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  });
  res.end(body);
});

http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening http://127.0.0.1:${http.address().port}\n`);
});

const stop = () => http.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
