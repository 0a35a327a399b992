/**
 * The client's address. By default it is the peer of the TCP connection, and any
 * X-Forwarded-For or Forwarded header is ignored: anyone can send one. Behind a
 * reverse proxy the operator names the proxies to trust (addresses, CIDR ranges, the
 * `loopback` / `private` shorthands, or a hop count); then the forwarding headers are
 * read from the right, hop by hop, and the first address that is not a trusted proxy
 * is the client.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export type TrustProxy = readonly string[] | number;

const SHORTHANDS: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', '169.254.0.0/16', 'fe80::/10'],
};

/** An IPv4 address seen through an IPv6 socket (::ffff:10.0.0.1) is the IPv4 address. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** Checks the setting once, at start: a typo fails the start, never a request. */
export function proxyMatcher(trust: TrustProxy): (address: string, hop: number) => boolean {
  if (typeof trust === 'number') {
    if (!Number.isInteger(trust) || trust < 0) throw new TypeError(`trustProxy: a hop count must be a whole number, got ${trust}`);
    return (_address, hop) => hop < trust;
  }
  const list = new BlockList();
  for (const entry of trust.flatMap((e) => SHORTHANDS[e] ?? [e])) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new TypeError(`trustProxy: ${JSON.stringify(entry)} is not an IP address, a CIDR range, "loopback" or "private"`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new TypeError(`trustProxy: bad prefix length in ${entry}`);
      list.addSubnet(address, prefix, type);
    }
  }
  return (address) => {
    const ip = plain(address);
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** `Forwarded: for=192.0.2.1;proto=https, for="[2001:db8::1]:443"` (RFC 7239) → the `for` addresses. */
function forwardedFor(header: string): string[] {
  return header.split(',').map((element) => {
    const pair = element
      .split(';')
      .map((p) => p.trim())
      .find((p) => p.toLowerCase().startsWith('for='));
    let value = pair ? pair.slice(4).trim().replace(/^"|"$/g, '') : '';
    if (value.startsWith('[')) value = value.slice(1, value.indexOf(']'));
    else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
    return value;
  });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The chain of addresses a request passed through, nearest last, as the trusted headers tell it. */
function forwardedChain(req: IncomingMessage): string[] {
  const forwarded = headerText(req.headers.forwarded);
  if (forwarded) return forwardedFor(forwarded);
  const xff = headerText(req.headers['x-forwarded-for']);
  return xff ? xff.split(',').map((a) => a.trim()) : [];
}

export function clientAddressResolver(trust: TrustProxy | undefined): (req: IncomingMessage) => string {
  if (trust === undefined || trust === 0 || (Array.isArray(trust) && trust.length === 0)) {
    return (req) => plain(req.socket.remoteAddress ?? 'unknown');
  }
  const trusted = proxyMatcher(trust);
  return (req) => {
    let address = plain(req.socket.remoteAddress ?? 'unknown');
    const chain = forwardedChain(req);
    for (let hop = 0; trusted(address, hop) && chain.length > 0; hop += 1) {
      const previous = plain(chain.pop()!);
      // A garbled entry ends the walk: the last trusted hop is the best we know.
      if (isIP(previous) === 0) break;
      address = previous;
    }
    return address;
  };
}
