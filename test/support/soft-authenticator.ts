/**
 * A passkey authenticator in software, for HTTP tests without a browser: it answers
 * the options Tessera puts on its pages the way navigator.credentials would (WebAuthn
 * JSON: base64url fields), with an ES256 key, "none" attestation, and a signature
 * counter the test controls. Each answer can be bent (another origin, another
 * challenge, no user verification) to drive the server's error paths.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { Page } from './browser.js';

const b64u = (bytes: Buffer | Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

/** Just enough CBOR (RFC 8949) for an attestation object and a COSE key. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number) =>
    n < 24 ? Buffer.from([(major << 5) | n]) : n < 256 ? Buffer.from([(major << 5) | 24, n]) : Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new TypeError(`cbor: ${typeof value}`);
}

export interface AnswerOptions {
  origin?: string;
  challenge?: string;
  userVerified?: boolean;
  /** The user handle to return with a signature (a discoverable credential's user.id). */
  userHandle?: string;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  readonly #keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  /** The counter the next signature carries (then it counts on, unless `counts` is false). */
  signCount: number;
  readonly #counts: boolean;
  readonly #origin: string;

  constructor(origin: string, options: { signCount?: number; counts?: boolean } = {}) {
    this.#origin = origin;
    this.signCount = options.signCount ?? 1;
    this.#counts = options.counts ?? true;
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  #authData(rpId: string, flags: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.#counts ? this.signCount : 0);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  #clientData(type: string, challenge: string, options: AnswerOptions): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge: options.challenge ?? challenge, origin: options.origin ?? this.#origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() for these creation options (JSON). */
  create(optionsJson: string, options: AnswerOptions = {}): string {
    const o = JSON.parse(optionsJson) as { challenge: string; rp: { id: string } };
    const jwk = this.#keys.publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    const cose = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x, 'base64url')],
        [-3, Buffer.from(jwk.y, 'base64url')],
      ]),
    );
    const idLength = Buffer.from([0, this.credentialId.length]);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cose]);
    const authData = this.#authData(o.rp.id, 0x01 | ((options.userVerified ?? true) ? 0x04 : 0) | 0x40, attested);
    const attestationObject = cbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    if (this.#counts) this.signCount += 1;
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(this.#clientData('webauthn.create', o.challenge, options)),
        attestationObject: b64u(attestationObject),
        transports: ['usb'],
      },
      clientExtensionResults: {},
    });
  }

  /** navigator.credentials.get() for these request options (JSON); the counter then moves on. */
  get(optionsJson: string, options: AnswerOptions = {}): string {
    const o = JSON.parse(optionsJson) as { challenge: string; rpId: string };
    const authData = this.#authData(o.rpId, 0x01 | ((options.userVerified ?? true) ? 0x04 : 0));
    const clientData = this.#clientData('webauthn.get', o.challenge, options);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.#keys.privateKey);
    if (this.#counts) this.signCount += 1;
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientData),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        ...(options.userHandle ? { userHandle: b64u(Buffer.from(options.userHandle)) } : {}),
      },
      clientExtensionResults: {},
    });
  }
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The passkey form of a page: where it posts, its hidden fields, and the options for navigator.credentials. */
export function passkeyFormOf(page: Page): { action: string; fields: Record<string, string>; options: string } {
  const form = /<form method="post" action="([^"]*)" class="passkey" data-passkey="\w+" data-options="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page.html);
  if (!form) throw new Error(`no passkey form on the page:\n${page.html.slice(0, 600)}`);
  const fields: Record<string, string> = {};
  for (const input of form[3]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[input[1]!] = decode(input[2]!);
  return { action: decode(form[1]!), fields, options: decode(form[2]!) };
}
