/**
 * The one way Tessera fetches a URL a stranger chose (client ID metadata documents
 * and their jwks_uri): SSRF-safe.
 *   - https only, no redirects (a 3xx is a refusal), GET with no credentials;
 *   - the host is resolved once and every address must be public: loopback, private,
 *     link-local, unique-local, CGNAT, multicast, reserved and documentation ranges are
 *     refused, for IPv4 and IPv6 alike, IPv4-mapped/NAT64/6to4 forms by their IPv4
 *     address (unless `allowPrivateAddresses`, for tests and closed networks);
 *   - the connection goes to the address that was checked (no second lookup, so no
 *     DNS rebinding), while TLS still verifies the certificate for the host name;
 *   - at most `maxBytes` of body and `timeoutMs` for the whole exchange.
 * Extra certificate authorities (`ca`) are trusted besides Node's own roots, and
 * NODE_EXTRA_CA_CERTS is honoured as everywhere in Node.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import { BlockList, isIP, isIPv4 } from 'node:net';
import { createSecureContext, rootCertificates } from 'node:tls';
import { MetadataFetchError, type ClientMetadataFetcher, type FetchedDocument } from '../core/client-metadata/fetcher.js';
import type { BackchannelLogoutTransport } from '../core/logout/backchannel-logout.js';

export interface SafeFetchOptions {
  /** Allow loopback, private and other non-public addresses. Default false. */
  allowPrivateAddresses?: boolean;
  /** Largest body accepted, in bytes. Default 5120. */
  maxBytes?: number;
  /** Whole exchange (lookup, connect, TLS, body), in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Extra trusted CA certificates (PEM), besides Node's roots. */
  ca?: string;
  /** Name resolution (tests); default the system resolver, every address. */
  lookup?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

const BLOCKED_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const BLOCKED_V6 = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const;

const blocked = new BlockList();
for (const [address, prefix] of BLOCKED_V4) blocked.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of BLOCKED_V6) blocked.addSubnet(address, prefix, 'ipv6');

/** The 16 bytes of an IPv6 address (node's resolver and URL parser forms, dotted tail included). */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1]!.split('.').map(Number));
    text = `${text.slice(0, -dotted[1]!.length)}0:0`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The IPv4 address an IPv6 one stands for (IPv4-mapped, IPv4-compatible, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12).join('.');
  if (zero(0, 12) && !zero(12, 16)) return b.slice(12).join('.');
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return b.slice(12).join('.');
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6).join('.');
  return undefined;
}

/** True for every address that is not plainly public unicast. */
export function isNonPublicAddress(address: string): boolean {
  if (isIPv4(address)) return blocked.check(address, 'ipv4');
  if (isIP(address) !== 6) return true;
  const v4 = embeddedIpv4(address);
  if (v4 !== undefined && blocked.check(v4, 'ipv4')) return true;
  return blocked.check(address, 'ipv6');
}

function extraCaCertificates(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    return []; // Node itself warns about an unreadable file at start
  }
}

const systemLookup = async (hostname: string) => dnsLookup(hostname, { all: true, verbatim: true });

type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** The address to connect to: resolved once, every answer public unless private ones are allowed. */
async function vetAddress(url: URL, resolveName: Resolver, allowPrivateAddresses: boolean): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolveName(host);
    } catch {
      throw new MetadataFetchError('dns_failed', `${host} could not be resolved`);
    }
    if (addresses.length === 0) throw new MetadataFetchError('dns_failed', `${host} has no address`);
  }
  // Every address must be public: one private answer among public ones is a rebinding attempt.
  if (!allowPrivateAddresses && addresses.some((a) => isNonPublicAddress(a.address))) {
    throw new MetadataFetchError('private_address', `${host} resolves to a private or reserved address`);
  }
  return addresses[0]!;
}

export function createSafeFetcher(options: SafeFetchOptions = {}): ClientMetadataFetcher {
  const maxBytes = options.maxBytes ?? 5120;
  const timeoutMs = options.timeoutMs ?? 5000;
  // A `ca` list replaces Node's default store, NODE_EXTRA_CA_CERTS included: keep both.
  // Built once: parsing every root certificate per request would cost ~250 ms each.
  const secureContext = options.ca ? createSecureContext({ ca: [...rootCertificates, ...extraCaCertificates(), options.ca] }) : undefined;
  const resolveName = options.lookup ?? systemLookup;

  const vettedAddress = (url: URL) => vetAddress(url, resolveName, options.allowPrivateAddresses ?? false);

  return {
    async fetch(url: URL): Promise<FetchedDocument> {
      if (url.protocol !== 'https:') throw new MetadataFetchError('not_https', 'only https URLs are fetched');
      const deadline = AbortSignal.timeout(timeoutMs);
      const target = await Promise.race([
        vettedAddress(url),
        new Promise<never>((_, reject) =>
          deadline.addEventListener('abort', () => reject(new MetadataFetchError('timeout', `no answer within ${timeoutMs} ms`)), { once: true }),
        ),
      ]);
      const requestOptions: RequestOptions = {
        method: 'GET',
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        headers: { accept: 'application/json', 'user-agent': 'Tessera (client metadata fetcher)' },
        agent: false,
        signal: deadline,
        // Connect to the address checked above, never to a second answer of the resolver.
        lookup: ((_hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
          if (lookupOptions?.all) callback(null, [{ address: target.address, family: target.family }]);
          else callback(null, target.address, target.family);
        }) as RequestOptions['lookup'],
        ...(secureContext ? { secureContext } : {}),
      };
      return new Promise<FetchedDocument>((resolve, reject) => {
        const req = request(requestOptions, (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            res.destroy();
            return reject(new MetadataFetchError('redirect', `it answered with a redirect (${status}); redirects are not followed`));
          }
          if (status !== 200) {
            res.destroy();
            return reject(new MetadataFetchError('http_status', `it answered with HTTP ${status}`));
          }
          const declared = Number(res.headers['content-length'] ?? 0);
          if (declared > maxBytes) {
            res.destroy();
            return reject(new MetadataFetchError('too_large', `it is larger than ${maxBytes} bytes`));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              res.destroy();
              reject(new MetadataFetchError('too_large', `it is larger than ${maxBytes} bytes`));
            } else chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              body: Buffer.concat(chunks).toString('utf8'),
              contentType: res.headers['content-type'],
              cacheControl: res.headers['cache-control'],
            }),
          );
          res.on('error', (error) =>
            reject(
              deadline.aborted
                ? new MetadataFetchError('timeout', `no answer within ${timeoutMs} ms`)
                : new MetadataFetchError('connect_failed', error.message),
            ),
          );
        });
        req.on('error', (error) => {
          if (deadline.aborted) reject(new MetadataFetchError('timeout', `no answer within ${timeoutMs} ms`));
          else reject(new MetadataFetchError('connect_failed', `the connection failed (${(error as NodeJS.ErrnoException).code ?? error.message})`));
        });
        req.end();
      });
    },
  };
}

/**
 * The same rules for POSTing a form to a URL a client registered (back-channel logout
 * URIs): resolved once, public addresses only, no redirects followed (a 3xx is just a
 * status), a timeout for the whole exchange, the answer's body discarded. http: only
 * with `allowPrivateAddresses` (tests, closed networks); otherwise https.
 */
export function createSafePoster(options: Omit<SafeFetchOptions, 'maxBytes'> = {}): BackchannelLogoutTransport {
  const timeoutMs = options.timeoutMs ?? 5000;
  const secureContext = options.ca ? createSecureContext({ ca: [...rootCertificates, ...extraCaCertificates(), options.ca] }) : undefined;
  const resolveName = options.lookup ?? systemLookup;
  const allowPrivate = options.allowPrivateAddresses ?? false;
  return {
    async post(url: URL, form: string): Promise<number> {
      const plain = url.protocol === 'http:';
      if (!(url.protocol === 'https:' || (plain && allowPrivate))) throw new MetadataFetchError('not_https', 'only https URLs are called');
      const deadline = AbortSignal.timeout(timeoutMs);
      const target = await Promise.race([
        vetAddress(url, resolveName, allowPrivate),
        new Promise<never>((_, reject) =>
          deadline.addEventListener('abort', () => reject(new MetadataFetchError('timeout', `no answer within ${timeoutMs} ms`)), { once: true }),
        ),
      ]);
      const body = Buffer.from(form, 'utf8');
      const requestOptions: RequestOptions = {
        method: 'POST',
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (plain ? 80 : 443),
        path: `${url.pathname}${url.search}`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(body.length),
          'user-agent': 'Tessera (back-channel logout)',
          'cache-control': 'no-store',
        },
        agent: false,
        signal: deadline,
        lookup: ((_hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
          if (lookupOptions?.all) callback(null, [{ address: target.address, family: target.family }]);
          else callback(null, target.address, target.family);
        }) as RequestOptions['lookup'],
        ...(secureContext && !plain ? { secureContext } : {}),
      };
      return new Promise<number>((resolve, reject) => {
        const req = (plain ? httpRequest : request)(requestOptions, (res) => {
          const status = res.statusCode ?? 0;
          res.resume();
          res.on('end', () => resolve(status));
          res.on('error', () => resolve(status));
        });
        req.on('error', (error) => {
          if (deadline.aborted) reject(new MetadataFetchError('timeout', `no answer within ${timeoutMs} ms`));
          else reject(new MetadataFetchError('connect_failed', `the connection failed (${(error as NodeJS.ErrnoException).code ?? error.message})`));
        });
        req.end(body);
      });
    },
  };
}
