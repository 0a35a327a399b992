/**
 * Token exchange (RFC 8693): a personal or service access token (`subject_token`) is
 * traded for a short-lived JWT access token for its API, which resource servers can
 * verify on their own instead of introspecting the long-lived credential. The new
 * token never outlives, or reaches beyond, the one it came from: its scopes are those
 * the owner's roles still allow (the inspector narrows them). Policy (RFC 8693 §5):
 * the exchanging client must itself be allowed on the target API (registered to it,
 * or given permissions there), and receives only scopes it could ask a user for there.
 * A DPoP-bound subject token is exchanged only with a proof of its key (RFC 9449).
 */
import { delegableScopes } from '../authorize/check-scope.js';
import { invalidGrant, invalidRequest, invalidScope, invalidTarget } from '../errors.js';
import type { TokenInspector } from '../tokens/token-inspector.js';
import type { GrantHandler } from './grant.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

export function tokenExchangeGrant(inspector: TokenInspector): GrantHandler {
  return {
    grantType: TOKEN_EXCHANGE,
    parameters: ['subject_token', 'subject_token_type', 'requested_token_type', 'resource', 'audience', 'scope'],
    async handle(context, client, request) {
      const { params } = request;
      const subjectToken = params.require('subject_token');
      const subjectType = params.require('subject_token_type');
      if (subjectType !== ACCESS_TOKEN_TYPE) throw invalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
      const requested = params.get('requested_token_type');
      if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE && requested !== JWT_TYPE) {
        throw invalidRequest('requested_token_type must be an access token or a JWT');
      }
      if (params.has('actor_token')) throw invalidRequest('actor_token is not supported');
      const subject = await inspector.inspect(subjectToken);
      if (!subject || (subject.kind !== 'personal_access_token' && subject.kind !== 'service_access_token')) {
        throw invalidGrant('subject_token must be an active personal or service access token');
      }
      // RFC 9449: a PAT or SAT bound to a key is exchanged only with a proof of that key,
      // and the token issued is bound to it too (the token endpoint binds it to the proof).
      if (subject.jkt !== undefined && context.dpop?.jkt !== subject.jkt) {
        throw invalidGrant(context.dpop ? 'the subject token is bound to another DPoP key' : 'the subject token is DPoP-bound: send a DPoP proof of its key');
      }
      const targets = [...new Set([...params.getAll('resource'), ...params.getAll('audience')])];
      if (targets.length > 1 || (targets[0] !== undefined && targets[0] !== subject.audience)) {
        throw invalidTarget(`this token can only be exchanged for ${subject.audience}`);
      }
      const api = await context.catalog.api(subject.audience);
      if (!api) throw invalidTarget(`the API ${subject.audience} no longer exists`);
      if (api.identifier !== client.api && !client.permissions[api.identifier]) {
        throw invalidTarget(`client ${client.clientId} is not allowed on ${api.identifier}`);
      }
      const delegable = delegableScopes(client, api);
      const granted = subject.scope.split(' ').filter(Boolean);
      let scopes = granted.filter((s) => delegable.includes(s));
      const scope = params.get('scope');
      if (scope !== undefined) {
        scopes = [...new Set(scope.split(' ').filter(Boolean))];
        const wider = scopes.filter((s) => !granted.includes(s));
        if (wider.length > 0) throw invalidScope(`not granted to the subject token: ${wider.join(' ')}`);
        const notForClient = scopes.filter((s) => !delegable.includes(s));
        if (notForClient.length > 0) throw invalidScope(`client ${client.clientId} may not receive on ${api.identifier}: ${notForClient.join(' ')}`);
      }
      if (scopes.length === 0) throw invalidScope(`the subject token grants nothing client ${client.clientId} may receive on ${api.identifier}`);
      const remaining = subject.expiresAt - context.clock.now();
      const issued = await context.accessTokens.issue({
        api: { ...api, format: 'jwt', ttl: Math.max(1, Math.min(api.ttl, remaining)) },
        clientId: client.clientId,
        subject: subject.subject,
        scopes,
      });
      return {
        body: {
          access_token: issued.token,
          issued_token_type: ACCESS_TOKEN_TYPE,
          token_type: 'Bearer',
          expires_in: issued.expiresIn,
          scope: scopes.join(' '),
        },
        issued: {
          subject: subject.subject,
          api: api.identifier,
          scopes,
          tokens: [{ kind: 'access_token', id: issued.jti }],
          details: { subjectTokenKind: subject.kind, subjectTokenId: subject.jti },
        },
      };
    },
  };
}
