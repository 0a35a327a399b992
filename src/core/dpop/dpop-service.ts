/**
 * DPoP as the endpoints use it: check the request's proof (and the server nonce, when
 * nonces are on), and turn a refusal into the response RFC 9449 asks for: a
 * `use_dpop_nonce` error carries a fresh `DPoP-Nonce` header (§8).
 */
import { OAuthError } from '../errors.js';
import type { EngineRequest } from '../request.js';
import type { DpopNonces } from './nonces.js';
import { DpopProofVerifier, presentedProof, type ProofPolicy, type ProofReplayCache, type VerifiedProof } from './proof.js';

export interface DpopOptions {
  /** Where used proofs are remembered (default: the store; Redis when configured). */
  replay?: ProofReplayCache;
  /** How old a proof may be, in seconds (default 60). */
  iatWindow?: number;
  /** Demand server-provided nonces (RFC 9449 §8). */
  nonce?: boolean;
}

export class DpopService {
  readonly #verifier: DpopProofVerifier;
  readonly #nonces: DpopNonces | undefined;

  constructor(replay: ProofReplayCache, nonces: DpopNonces | undefined, policy: Partial<ProofPolicy> = {}) {
    this.#verifier = new DpopProofVerifier(replay, policy);
    this.#nonces = nonces;
  }

  /** Headers every response of a DPoP-aware endpoint carries (a fresh nonce, when nonces are on). */
  responseHeaders(now: number): Record<string, string> {
    return this.#nonces ? { 'DPoP-Nonce': this.#nonces.current(now) } : {};
  }

  /** The request's proof, verified; undefined when it sent none. */
  async check(request: Pick<EngineRequest, 'method' | 'headers' | 'endpointUrl'>, now: number, accessToken?: string): Promise<VerifiedProof | undefined> {
    const proof = presentedProof(request.headers);
    if (proof === undefined) return undefined;
    const nonces = this.#nonces;
    try {
      return await this.#verifier.verify(proof, {
        method: request.method,
        url: request.endpointUrl,
        now,
        ...(accessToken !== undefined ? { accessToken } : {}),
        ...(nonces ? { nonce: (n: unknown) => nonces.accepts(n, now) } : {}),
      });
    } catch (error) {
      if (error instanceof OAuthError && error.error === 'use_dpop_nonce') throw withHeaders(error, this.responseHeaders(now));
      throw error;
    }
  }
}

export function withHeaders(error: OAuthError, headers: Record<string, string>): OAuthError {
  return new OAuthError(error.error, error.status, error.description, { ...error.headers, ...headers });
}
