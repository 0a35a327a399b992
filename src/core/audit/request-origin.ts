/** Where an audited request came from: its address and id, when the transport knows them. */
import type { EngineRequest } from '../request.js';

export interface RequestOrigin {
  ip?: string;
  requestId?: string;
}

export function requestOrigin(request: Pick<EngineRequest, 'ip' | 'requestId'>): RequestOrigin {
  const origin: RequestOrigin = {};
  if (request.ip !== undefined) origin.ip = request.ip;
  if (request.requestId !== undefined) origin.requestId = request.requestId;
  return origin;
}
