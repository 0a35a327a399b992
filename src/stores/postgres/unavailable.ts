/**
 * Tells "the database cannot be reached or answer now" apart from every other error,
 * and turns it into the engine's `temporarily_unavailable` (503): the request fails
 * fast and clearly, and the next one tries again (the pool reconnects by itself).
 */
import { temporarilyUnavailable } from '../../core/errors.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** SQLSTATEs: 08xxx connection exceptions, shutdown/crash/cannot-connect-now, too many connections, statement timeout. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
const DRIVER_MESSAGES = ['timeout exceeded when trying to connect', 'Connection terminated', 'Query read timeout', 'is not queryable', 'Client was closed'];

export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true;
  const message = error instanceof Error ? error.message : '';
  return DRIVER_MESSAGES.some((m) => message.includes(m));
}

export function asUnavailable(error: unknown): unknown {
  return isUnavailable(error) ? temporarilyUnavailable('the database is temporarily unavailable; try again shortly') : error;
}
