import { hashOf } from '../../core/hash.js';
import type { RenderedRequest } from '../../core/prediction.js';

/** Cache key: everything that determines a provider's answer, and nothing else (no sample ids, no secrets). */
export function requestHash(identity: { provider: string; decoding: unknown } & Record<string, unknown>, request: RenderedRequest): string {
  return hashOf({ ...identity, messages: request.messages });
}
