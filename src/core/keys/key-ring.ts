/**
 * The signing key ring. Per algorithm there is one `current` key (signs), one
 * `next` key (already published in JWKS, signs after the next rotation) and any
 * number of `retired` keys (published until every token they signed has expired).
 * Publishing a key before it signs anything means a verifier that cached the JWKS
 * never meets an unknown kid after a rotation.
 */
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import { decryptKey, encryptKey } from '../crypto/key-encryption.js';
import type { SigningAlg, SigningKey } from '../model.js';
import type { KeyRepository } from '../ports/storage.js';
import { ALGORITHMS } from './algorithms.js';
import { JwsSigner } from './jws.js';

export interface PublicJwk extends Record<string, unknown> {
  kid: string;
  alg: SigningAlg;
  use: 'sig';
}

/** RFC 7638 thumbprint: a kid derived from the key itself. */
function thumbprint(jwk: Record<string, unknown>): string {
  const required: Record<string, string[]> = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };
  const members = required[jwk.kty as string] ?? [];
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

export function generateSigningKey(alg: SigningAlg, status: SigningKey['status'], kek: Buffer, now: number): SigningKey {
  const { privateKey, publicKey } = ALGORITHMS[alg].generate();
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = thumbprint(jwk);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    kid,
    alg,
    status,
    privateKeyEncrypted: encryptKey(kek, der, kid),
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    createdAt: now,
  };
}

export class KeyRing {
  readonly #repo: KeyRepository;
  readonly #kek: Buffer;
  readonly #clock: Clock;
  /** How long a retired key stays published: the longest lifetime of anything it signed. */
  readonly #retentionSeconds: () => Promise<number>;
  #signers = new Map<SigningAlg, JwsSigner>();
  #published: PublicJwk[] = [];
  #decrypted = new Map<string, KeyObject>();
  /** The latest reload to start wins, so a slow read never overwrites a newer ring. */
  #reloads = 0;

  constructor(options: {
    repo: KeyRepository;
    keyEncryptionKey: Buffer;
    clock: Clock;
    retentionSeconds: () => Promise<number>;
  }) {
    this.#repo = options.repo;
    this.#kek = options.keyEncryptionKey;
    this.#clock = options.clock;
    this.#retentionSeconds = options.retentionSeconds;
  }

  /** Makes sure every algorithm in use has a current and a next key, then loads the ring. */
  async ensure(algs: Iterable<SigningAlg>): Promise<SigningKey[]> {
    const keys = await this.#repo.listKeys();
    const created: SigningKey[] = [];
    for (const alg of new Set(algs)) {
      for (const status of ['current', 'next'] as const) {
        if (keys.some((k) => k.alg === alg && k.status === status)) continue;
        const key = generateSigningKey(alg, status, this.#kek, this.#clock.now());
        if (await this.#insertUnlessRaced(key)) created.push(key);
      }
    }
    await this.reload();
    return created;
  }

  /**
   * Inserts a key; the store allows one current and one next key per algorithm, so when
   * another instance created the same slot first, its key is kept and ours dropped.
   */
  async #insertUnlessRaced(key: SigningKey): Promise<boolean> {
    try {
      await this.#repo.insertKey(key);
      return true;
    } catch (error) {
      const now = await this.#repo.listKeys();
      if (now.some((k) => k.alg === key.alg && k.status === key.status)) return false;
      throw error;
    }
  }

  /** Re-reads the ring from storage (another instance may have rotated). */
  async reload(): Promise<void> {
    const reload = ++this.#reloads;
    const now = this.#clock.now();
    const keys = await this.#repo.listKeys();
    if (reload !== this.#reloads) return;
    const signers = new Map<SigningAlg, JwsSigner>();
    for (const key of keys) {
      if (key.status !== 'current') continue;
      signers.set(key.alg, new JwsSigner(key.kid, key.alg, this.#privateKey(key)));
    }
    this.#signers = signers;
    this.#published = keys.filter((k) => k.status !== 'retired' || (k.removeAfter ?? Infinity) > now).map((k) => k.publicJwk as PublicJwk);
  }

  #privateKey(key: SigningKey): KeyObject {
    let cached = this.#decrypted.get(key.kid);
    if (!cached) {
      const der = decryptKey(this.#kek, key.privateKeyEncrypted, key.kid);
      cached = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      this.#decrypted.set(key.kid, cached);
    }
    return cached;
  }

  signer(alg: SigningAlg): JwsSigner {
    const signer = this.#signers.get(alg);
    if (!signer) throw new Error(`no current ${alg} signing key; run \`tessera keys rotate\` or restart to create one`);
    return signer;
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: this.#published };
  }

  /**
   * Rotation, per algorithm: the published `next` key starts signing, the old
   * `current` key retires but stays published until its tokens expire, and a new
   * `next` key is published. Retired keys past their time are deleted.
   */
  async rotate(algs?: SigningAlg[]): Promise<{ alg: SigningAlg; current: string; next: string }[]> {
    const now = this.#clock.now();
    const keys = await this.#repo.listKeys();
    const retention = await this.#retentionSeconds();
    const targets = algs ?? [...new Set(keys.filter((k) => k.status === 'current').map((k) => k.alg))];
    const changes: Parameters<KeyRepository['updateKeys']>[0] = [];
    const result: { alg: SigningAlg; current: string; next: string }[] = [];
    const fresh: SigningKey[] = [];
    for (const alg of targets) {
      // Normally the next key has been published since the last rotation; only a ring
      // that never had one promotes a brand-new key.
      let next = keys.find((k) => k.alg === alg && k.status === 'next');
      if (!next) {
        next = generateSigningKey(alg, 'next', this.#kek, now);
        await this.#insertUnlessRaced(next);
      }
      // Retire before promoting: the store never holds two current keys of one alg.
      for (const old of keys.filter((k) => k.alg === alg && k.status === 'current')) {
        changes.push({ kid: old.kid, status: 'retired', removeAfter: now + retention });
      }
      changes.push({ kid: next.kid, status: 'current' });
      const newNext = generateSigningKey(alg, 'next', this.#kek, now);
      fresh.push(newNext);
      result.push({ alg, current: next.kid, next: newNext.kid });
    }
    await this.#repo.updateKeys(changes);
    for (const key of fresh) await this.#insertUnlessRaced(key);
    for (const key of keys) {
      if (key.status === 'retired' && key.removeAfter !== undefined && key.removeAfter <= now) {
        await this.#repo.deleteKey(key.kid);
      }
    }
    await this.reload();
    return result;
  }
}
