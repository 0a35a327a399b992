/** The wire form of a change-feed message, shared by every transport: small JSON, checked on the way in. */
import type { Change, ChangeTopic } from '../ports/change-feed.js';

const TOPICS: readonly ChangeTopic[] = ['api', 'client', 'keys'];
/** PostgreSQL caps a notification at 8000 bytes; a longer key becomes "the whole topic". */
const MAX_KEY = 1000;

export function encodeChange(topic: ChangeTopic, key?: string): string {
  return JSON.stringify(key !== undefined && key.length <= MAX_KEY ? { t: topic, k: key } : { t: topic });
}

export function decodeChange(payload: string): Change | undefined {
  try {
    const { t, k } = JSON.parse(payload) as { t?: unknown; k?: unknown };
    if (!TOPICS.includes(t as ChangeTopic)) return undefined;
    return typeof k === 'string' ? { kind: 'changed', topic: t as ChangeTopic, key: k } : { kind: 'changed', topic: t as ChangeTopic };
  } catch {
    return undefined;
  }
}
