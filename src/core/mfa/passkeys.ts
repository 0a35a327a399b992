/**
 * Passkeys (WebAuthn Level 2/3, checked by @simplewebauthn/server): adding one from the
 * account page, and signing with one, alone (passwordless, a discoverable credential
 * with user verification) or as the second step after a password.
 *
 * The challenge of every ceremony is kept server-side, single-use and bound to who
 * asked (passkey-challenges.ts). A signature whose counter does not move forward,
 * where the authenticator counts, is refused as a possible clone. Failures count in
 * the sign-in throttle (per account and address) and are audited as `mfa.failed`,
 * never with key material.
 *
 * What a passkey adds to `amr` (RFC 8176): `hwk` for a key bound to one device (a
 * security key), `swk` for a synced passkey (its private key is copied between devices
 * by software), and `user`, the presence test every WebAuthn signature carries. With
 * user verification (a PIN or biometric on the authenticator) the passkey is two
 * factors by itself (NIST SP 800-63B: a multi-factor cryptographic authenticator):
 * `mfa` too, which gives the multi-factor acr.
 */
import { randomUUID } from 'node:crypto';
import type { AuthenticationResponseJSON, AuthenticatorTransportFuture, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AuditActor } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RequestOrigin } from '../audit/request-origin.js';
import type { Clock } from '../clock.js';
import type { SignInThrottle } from '../interaction/sign-in-throttle.js';
import type { PasskeyFactor, User } from '../model.js';
import type { FactorRepository, UserRepository } from '../ports/storage.js';
import { PASSKEY_CHALLENGE_TTL, type PasskeyChallenges, type PasskeyPurpose } from './passkey-challenges.js';
import type { RelyingParty } from './relying-party.js';

/** Where the browser script that talks to the authenticator is served, under the issuer. */
export const PASSKEY_SCRIPT_PATH = '/assets/passkey.js';
const MAX_NAME = 60;
const MAX_ANSWER = 16_384;

export interface PasskeysDeps {
  rp: RelyingParty;
  store: FactorRepository & Pick<UserRepository, 'getUser'>;
  challenges: PasskeyChallenges;
  clock: Clock;
  audit: AuditLog;
  throttle: SignInThrottle;
}

export type PasskeySignature = { ok: true; user: User; passkey: PasskeyFactor; amr: string[] } | { ok: false; message: string; status: number };

export type PasskeyEnrolment = { ok: true; passkey: PasskeyFactor } | { ok: false; message: string };

/** What a ceremony is bound to, and for whom (second step: the user signing in). */
export interface PasskeyCeremony {
  purpose: Exclude<PasskeyPurpose, 'register'>;
  binding: string;
  /** For a second step: only this user's passkeys count. */
  user?: User;
  origin: RequestOrigin;
  clientId?: string;
}

/**
 * The WebAuthn library, imported on the first ceremony and kept: with its CBOR, ASN.1 and
 * X.509 dependencies it is a good part of an idle server's memory, and most servers
 * never see a passkey ceremony.
 */
type WebAuthn = typeof import('@simplewebauthn/server');
let webauthn: Promise<WebAuthn> | undefined;
const loadWebAuthn = (): Promise<WebAuthn> => (webauthn ??= import('@simplewebauthn/server'));

const EXPIRED = 'This passkey request has expired or was already used. Try again.';

export class Passkeys {
  readonly #d: PasskeysDeps;

  constructor(deps: PasskeysDeps) {
    this.#d = deps;
  }

  get relyingParty(): RelyingParty {
    return this.#d.rp;
  }

  async list(userId: string): Promise<PasskeyFactor[]> {
    return (await this.#d.store.listUserFactors(userId)).filter((f): f is PasskeyFactor => f.type === 'passkey');
  }

  /** Options for navigator.credentials.create(), as JSON: a discoverable credential, none of the user's own again. */
  async registrationOptions(user: User, binding: string): Promise<string> {
    const challenge = await this.#d.challenges.issue('register', binding, user.id);
    const { generateRegistrationOptions } = await loadWebAuthn();
    const options = await generateRegistrationOptions({
      rpName: this.#d.rp.name,
      rpID: this.#d.rp.id,
      userName: user.username,
      userDisplayName: user.name ?? user.username,
      userID: new TextEncoder().encode(user.id),
      challenge: Buffer.from(challenge, 'base64url'),
      timeout: PASSKEY_CHALLENGE_TTL * 1000,
      attestationType: 'none',
      excludeCredentials: (await this.list(user.id)).map((p) => ({
        id: p.credentialId,
        ...(p.transports ? { transports: p.transports as AuthenticatorTransportFuture[] } : {}),
      })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    return JSON.stringify(options);
  }

  /** Checks the authenticator's answer to a registration and keeps the passkey under `name`. */
  async register(user: User, answer: string | undefined, name: string, binding: string, origin: RequestOrigin, actor: AuditActor): Promise<PasskeyEnrolment> {
    const label = name.trim().slice(0, MAX_NAME) || 'Passkey';
    const response = parseAnswer<RegistrationResponseJSON>(answer, 'attestationObject');
    const challenge = response ? challengeOf(response) : undefined;
    const failed = (reason: string, message: string): PasskeyEnrolment => {
      this.#d.audit.record({
        type: 'mfa.failed',
        outcome: 'failure',
        actor,
        subject: user.id,
        reason,
        ...origin,
        details: { factor: 'passkey', during: 'enrolment' },
      });
      return { ok: false, message };
    };
    if (!response || !challenge) return failed('passkey_unreadable', 'The passkey’s answer could not be read. Try again.');
    if (!(await this.#d.challenges.take(challenge, 'register', binding, user.id))) return failed('passkey_challenge', EXPIRED);
    let info: Awaited<ReturnType<WebAuthn['verifyRegistrationResponse']>>['registrationInfo'];
    const { verifyRegistrationResponse } = await loadWebAuthn();
    try {
      const verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.#d.rp.origins,
        expectedRPID: this.#d.rp.id,
        requireUserVerification: false,
      });
      info = verified.verified ? verified.registrationInfo : undefined;
    } catch (error) {
      return failed(reasonOf(error), messageOf(error, 'The passkey could not be added.'));
    }
    if (!info) return failed('passkey_rejected', 'The passkey could not be added.');
    if (await this.#d.store.findPasskey(info.credential.id)) return failed('passkey_duplicate', 'That passkey is already added.');
    const now = this.#d.clock.now();
    const passkey: PasskeyFactor = {
      id: randomUUID(),
      userId: user.id,
      type: 'passkey',
      name: label,
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      signCount: info.credential.counter,
      ...(info.credential.transports?.length ? { transports: info.credential.transports } : {}),
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      createdAt: now,
    };
    await this.#d.store.insertUserFactor(passkey);
    this.#d.audit.record({
      type: 'mfa.enrolled',
      outcome: 'success',
      actor,
      subject: user.id,
      ...origin,
      details: { factor: 'passkey', id: passkey.id, name: label, deviceType: passkey.deviceType },
    });
    return { ok: true, passkey };
  }

  /**
   * Options for navigator.credentials.get(), as JSON. Signing in alone: any discoverable
   * credential, with user verification required. A second step: the user's passkeys.
   */
  async authenticationOptions(purpose: PasskeyCeremony['purpose'], binding: string, user?: User): Promise<string> {
    const challenge = await this.#d.challenges.issue(purpose, binding, user?.id);
    const allow = user
      ? (await this.list(user.id)).map((p) => ({ id: p.credentialId, ...(p.transports ? { transports: p.transports as AuthenticatorTransportFuture[] } : {}) }))
      : undefined;
    const { generateAuthenticationOptions } = await loadWebAuthn();
    const options = await generateAuthenticationOptions({
      rpID: this.#d.rp.id,
      challenge: Buffer.from(challenge, 'base64url'),
      timeout: PASSKEY_CHALLENGE_TTL * 1000,
      userVerification: purpose === 'sign-in' ? 'required' : 'preferred',
      ...(allow ? { allowCredentials: allow } : {}),
    });
    return JSON.stringify(options);
  }

  /** Checks a signature: the challenge, the credential (whose, and whether it is a clone), the origin and RP ID, the signature. */
  async verify(answer: string | undefined, ceremony: PasskeyCeremony): Promise<PasskeySignature> {
    const { origin } = ceremony;
    const ip = origin.ip ?? 'unknown';
    const audited = (subject: string | undefined, reason: string, details: Record<string, unknown> = {}) =>
      this.#d.audit.record({
        type: 'mfa.failed',
        outcome: 'failure',
        ...(subject ? { actor: { type: 'user', id: subject } as const, subject } : {}),
        ...(ceremony.clientId !== undefined ? { clientId: ceremony.clientId } : {}),
        reason,
        ...origin,
        details: { factor: 'passkey', during: ceremony.purpose, ...details },
      });
    const response = parseAnswer<AuthenticationResponseJSON>(answer, 'signature');
    const challenge = response ? challengeOf(response) : undefined;
    if (!response || !challenge) {
      audited(ceremony.user?.id, 'passkey_unreadable');
      return { ok: false, message: 'The passkey’s answer could not be read. Try again.', status: 400 };
    }
    // The throttle of an account nobody could name yet: this credential's own, and the address's.
    const unknownKey = `passkey:${response.id.slice(0, 64)}`;
    const wait = await this.#d.throttle.waitFor(ceremony.user?.username ?? unknownKey, ip);
    if (wait > 0) {
      audited(ceremony.user?.id, 'throttled');
      return { ok: false, message: `Too many failed attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`, status: 429 };
    }
    if (!(await this.#d.challenges.take(challenge, ceremony.purpose, ceremony.binding, ceremony.user?.id))) {
      audited(ceremony.user?.id, 'passkey_challenge');
      return { ok: false, message: EXPIRED, status: 400 };
    }
    const passkey = await this.#d.store.findPasskey(response.id);
    const owner = passkey ? await this.#d.store.getUser(passkey.userId) : undefined;
    // WebAuthn §7.2: a user handle, when the authenticator returns one, must be the credential's owner's.
    const handle = response.response.userHandle;
    const handleOwner = typeof handle === 'string' && handle ? Buffer.from(handle, 'base64url').toString('utf8') : undefined;
    if (!passkey || !owner || (ceremony.user && ceremony.user.id !== owner.id) || (handleOwner !== undefined && handleOwner !== owner.id)) {
      await this.#d.throttle.recordFailure(ceremony.user?.username ?? unknownKey, ip);
      audited(ceremony.user?.id, 'passkey_unknown');
      return {
        ok: false,
        message: ceremony.user
          ? 'That passkey is not one of yours here. Use a passkey you added to this account.'
          : 'That passkey is not known here. It may have been removed: sign in another way.',
        status: 401,
      };
    }
    const waitOwner = ceremony.user ? 0 : await this.#d.throttle.waitFor(owner.username, ip);
    if (waitOwner > 0) {
      audited(owner.id, 'throttled');
      return { ok: false, message: `Too many failed attempts. Try again in ${waitOwner} second${waitOwner === 1 ? '' : 's'}.`, status: 429 };
    }
    let info: Awaited<ReturnType<WebAuthn['verifyAuthenticationResponse']>>['authenticationInfo'] | undefined;
    let reason = 'passkey_rejected';
    let message = 'The passkey’s signature could not be checked. Try again.';
    const { verifyAuthenticationResponse } = await loadWebAuthn();
    try {
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.#d.rp.origins,
        expectedRPID: this.#d.rp.id,
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: passkey.signCount,
          ...(passkey.transports ? { transports: passkey.transports as AuthenticatorTransportFuture[] } : {}),
        },
        requireUserVerification: ceremony.purpose === 'sign-in',
      });
      if (verified.verified) info = verified.authenticationInfo;
    } catch (error) {
      reason = reasonOf(error);
      message = messageOf(error, message);
    }
    const now = this.#d.clock.now();
    if (info && !(await this.#d.store.usePasskey(owner.id, passkey.id, info.newCounter, now))) {
      info = undefined;
      reason = 'cloned_credential';
      message = CLONED;
    }
    if (!info) {
      await this.#d.throttle.recordFailure(owner.username, ip);
      audited(owner.id, reason, { id: passkey.id, ...(reason === 'cloned_credential' ? { storedCount: passkey.signCount } : {}) });
      return { ok: false, message, status: 401 };
    }
    if (!owner.active) {
      audited(owner.id, 'inactive_user', { id: passkey.id });
      return { ok: false, message: 'This account is inactive. Contact your administrator.', status: 403 };
    }
    await this.#d.throttle.recordSuccess(owner.username);
    const key = passkey.deviceType === 'multiDevice' ? 'swk' : 'hwk';
    return { ok: true, user: owner, passkey, amr: info.userVerified ? [key, 'user', 'mfa'] : [key, 'user'] };
  }

  /** Removes one of a user's passkeys; false when it was not theirs (or not a passkey). */
  async remove(userId: string, id: string, actor: AuditActor, origin: RequestOrigin = {}): Promise<boolean> {
    if (!(await this.list(userId)).some((p) => p.id === id)) return false;
    if (!(await this.#d.store.deleteUserFactor(userId, id))) return false;
    this.#d.audit.record({ type: 'mfa.removed', outcome: 'success', actor, subject: userId, ...origin, details: { factor: 'passkey', id } });
    return true;
  }
}

const CLONED =
  'This passkey was refused: its signature counter did not move forward, so it may have been copied. Sign in another way, remove it on your account page and add it again; tell your administrator if you did not expect this.';

/** The browser's answer, parsed, when it has the shape of one (the library checks the rest). */
function parseAnswer<T extends { id: string; response: object }>(answer: string | undefined, field: string): T | undefined {
  if (!answer || answer.length > MAX_ANSWER) return undefined;
  try {
    const parsed = JSON.parse(answer) as T;
    const response = parsed?.response as Record<string, unknown> | undefined;
    if (
      typeof parsed.id !== 'string' ||
      !/^[\w-]{1,1400}$/.test(parsed.id) ||
      typeof response?.clientDataJSON !== 'string' ||
      typeof response[field] !== 'string'
    )
      return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** The challenge the browser signed, read from clientDataJSON. */
function challengeOf(response: { response: { clientDataJSON: string } }): string | undefined {
  try {
    const data = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof data.challenge === 'string' ? data.challenge : undefined;
  } catch {
    return undefined;
  }
}

/** The audit reason for a library refusal. */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : '';
  if (/counter value/i.test(text)) return 'cloned_credential';
  if (/origin/i.test(text)) return 'wrong_origin';
  if (/RP ID/i.test(text)) return 'wrong_rp_id';
  if (/user verification/i.test(text)) return 'user_not_verified';
  return 'passkey_rejected';
}

/** What the person is told for a library refusal. */
function messageOf(error: unknown, fallback: string): string {
  switch (reasonOf(error)) {
    case 'cloned_credential':
      return CLONED;
    case 'wrong_origin':
    case 'wrong_rp_id':
      return 'The passkey answered for another site than this one. Open this page at its usual address and try again.';
    case 'user_not_verified':
      return 'Signing in with a passkey alone needs your device to check it is you (a PIN, fingerprint or face). Try again, or sign in with your password.';
    default:
      return fallback;
  }
}
