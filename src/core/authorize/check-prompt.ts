/**
 * prompt, max_age, acr_values, login_hint and id_token_hint (OpenID Connect Core §3.1.2.1).
 * acr_values are voluntary: values Tessera does not know are ignored.
 * An id_token_hint must be an ID token we issued (it may have expired).
 */
import { ACR_VALUES } from '@tessera/resource-server/shared';
import { invalidRequest } from '../errors.js';
import type { OwnJwtVerifier } from '../keys/verify-own-jwt.js';
import type { AuthorizeState } from './authorization-request.js';

const PROMPTS = ['none', 'login', 'consent', 'select_account'];

export function checkPrompt(state: AuthorizeState, jwts: OwnJwtVerifier, issuer: string): void {
  const { params } = state;
  const prompt = [...new Set((params.get('prompt') ?? '').split(' ').filter(Boolean))];
  const unknown = prompt.filter((p) => !PROMPTS.includes(p));
  if (unknown.length > 0) throw invalidRequest(`unsupported prompt value ${unknown.join(' ')}`);
  if (prompt.includes('none') && prompt.length > 1) throw invalidRequest('prompt=none cannot be combined with other values');
  state.request.prompt = prompt;

  const maxAge = params.get('max_age');
  if (maxAge !== undefined) {
    if (!/^\d{1,10}$/.test(maxAge)) throw invalidRequest('max_age must be a non-negative integer');
    state.request.maxAge = Number(maxAge);
  }
  const acrValues = (params.get('acr_values') ?? '').split(' ').filter((v) => ACR_VALUES.includes(v));
  if (acrValues.length > 0) state.request.acrValues = [...new Set(acrValues)];
  const loginHint = params.get('login_hint');
  if (loginHint !== undefined) state.request.loginHint = loginHint.slice(0, 200);

  const hint = params.get('id_token_hint');
  if (hint !== undefined) {
    const claims = jwts.verify(hint, 'JWT');
    if (!claims || claims.iss !== issuer || typeof claims.sub !== 'string') throw invalidRequest('id_token_hint is not an ID token issued here');
    state.request.hintSubject = claims.sub;
  }
}
