/**
 * The floor: plain node:http that reads a small form POST, parses it and answers a
 * small JSON body. No auth, no crypto, no storage: what any Node server on this
 * machine pays per request before doing real work. Prints `listening <url>`.
 */
import { createServer } from 'node:http';

const http = createServer({ headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 5_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const body = JSON.stringify({
      access_token: 'x'.repeat(43),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: params.get('scope') ?? '',
    });
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    res.end(body);
  });
});

http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening http://127.0.0.1:${http.address().port}\n`);
});

const stop = () => http.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
