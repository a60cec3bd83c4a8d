/** Helpers shared by the SBOM tests (not part of the package's public surface). */
import { isMamoriError, type MamoriError } from '@mamori/core';

/**
 * A turn of the event loop. Long synchronous stretches (seconds each, tens at high load) starve
 * vitest's worker messages, whose RPC limit is 60 s: tests yield between them.
 */
export const turn = (): Promise<void> => new Promise((r) => setImmediate(() => setImmediate(r))); // spans a poll phase

/** The MamoriError `f` throws; any other outcome fails the test. */
export function thrown(f: () => unknown): MamoriError {
  try { f(); } catch (e) { if (isMamoriError(e)) return e; throw e; }
  throw new Error('expected a MamoriError');
}
