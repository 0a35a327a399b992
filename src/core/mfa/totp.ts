/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, six
 * digits, 30-second steps, what every authenticator app speaks. A code is accepted
 * for the current step and one step either side (clock drift), and only for a step
 * later than the last one accepted, so no code works twice.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../crypto/constant-time.js';

export const TOTP_STEP = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_DRIFT = 1;
/** RFC 4226 §4 asks for at least 128 bits; 160 is what apps expect from SHA-1. */
export const TOTP_SECRET_BYTES = 20;

export const totpStep = (epochSeconds: number): number => Math.floor(epochSeconds / TOTP_STEP);

/** The code of one time step (RFC 4226 §5.3 dynamic truncation). */
export function totpCode(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/**
 * The step `code` belongs to, within the drift window around `now` and after
 * `lastUsedStep`; undefined when it matches none. Every candidate is compared, in constant time.
 */
export function matchTotp(secret: Buffer, code: string, now: number, lastUsedStep?: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const current = totpStep(now);
  let matched: number | undefined;
  for (let step = current - TOTP_DRIFT; step <= current + TOTP_DRIFT; step++) {
    if (constantTimeEqual(totpCode(secret, step), code) && (lastUsedStep === undefined || step > lastUsedStep)) matched ??= step;
  }
  return matched;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding: how authenticator apps take the secret. */
export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new TypeError('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The Key Uri Format authenticator apps read from the QR code: otpauth://totp/Issuer:account?... */
export function otpauthUri(issuerName: string, account: string, secret: Buffer): string {
  const label = `${encodeURIComponent(issuerName)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret: base32Encode(secret),
    issuer: issuerName,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP),
  });
  return `otpauth://totp/${label}?${query}`;
}
