/** How a long-lived credential is shown to its owner: everything but the secret. */
import { NEVER, type StoredToken } from '../model.js';

export interface TokenSummary {
  id: string;
  kind: StoredToken['kind'];
  name?: string;
  subject: string;
  api?: string;
  scopes: string[];
  endpoints?: string[];
  /** RFC 9449: the thumbprint of the DPoP key the token is bound to. */
  dpopJkt?: string;
  createdAt: number;
  expiresAt?: number;
  lastUsedAt?: number;
  revokedAt?: number;
}

export function summarize(token: StoredToken): TokenSummary {
  const details = token.details ?? {};
  const summary: TokenSummary = {
    id: token.jti,
    kind: token.kind,
    subject: token.subject,
    scopes: token.scope.split(' ').filter(Boolean),
    createdAt: token.issuedAt,
  };
  if (typeof details.name === 'string') summary.name = details.name;
  if (token.audience) summary.api = token.audience;
  if (Array.isArray(details.endpoints)) summary.endpoints = details.endpoints as string[];
  if (typeof details.jkt === 'string') summary.dpopJkt = details.jkt;
  if (token.expiresAt !== NEVER) summary.expiresAt = token.expiresAt;
  if (token.lastUsedAt !== undefined) summary.lastUsedAt = token.lastUsedAt;
  if (token.revokedAt !== undefined) summary.revokedAt = token.revokedAt;
  return summary;
}
