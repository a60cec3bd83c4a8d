/**
 * Builds the TAXII service of a platform: the `[taxii]` configuration section, the cursor
 * key (a file with 0600 permissions in the data directory, made on first use) and the
 * hub's access rules.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { configSection, MamoriError, type Platform } from '@mamori/core';
import { hubContext } from '../../context.js';
import type { Principal } from '../../access/policy.js';
import { StixStore } from '../store/stix-store.js';
import type { TaxiiAccess } from './access.js';
import { hubTaxiiAccess } from './hub-access.js';
import { TaxiiService } from './service.js';

export const taxiiConfigSchema = z.object({
  apiRoot: z.string().regex(/^[a-z0-9-]{1,64}$/).default('mamori'),
  title: z.string().default('mamori TAXII 2.1'),
  description: z.string().optional(),
  contact: z.string().optional(),
  /** Largest request body (bytes), advertised as max_content_length. */
  maxContentLength: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** Envelopes with more objects are stored after the answer (status pending). */
  asyncThreshold: z.coerce.number().int().min(0).default(1000),
  maxObjects: z.coerce.number().int().positive().default(100_000),
  /** Where the HMAC key for `next` cursors lives; default <dataDir>/taxii-cursor.key. */
  cursorKeyFile: z.string().optional(),
});
export type TaxiiConfig = z.infer<typeof taxiiConfigSchema>;

/**
 * Reads the cursor key, creating it (32 random bytes, mode 0600) when missing. Servers that
 * share the file may start at once: the key is written whole to a private temporary file and
 * then hard-linked into place, so a reader never sees a half-written key and the first
 * server's key wins.
 */
export function loadCursorKey(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length < 16) throw new MamoriError('MAMORI_CONFIG_INVALID', { field: 'taxii.cursorKeyFile', reason: 'key file must hold at least 16 bytes in hex' });
  chmodSync(file, 0o600);
  return key;
}

export function createTaxiiService(platform: Platform, overrides: Partial<TaxiiConfig> & { access?: TaxiiAccess<Principal>; cursorKey?: Buffer } = {}): TaxiiService<Principal> {
  const config = { ...configSection(platform.config, 'taxii', taxiiConfigSchema), ...overrides };
  const cursorKey = overrides.cursorKey ?? loadCursorKey(config.cursorKeyFile ?? join(platform.config.dataDir, 'taxii-cursor.key'));
  const access = overrides.access ?? hubTaxiiAccess(hubContext(platform));
  return new TaxiiService(new StixStore(platform.store), access, {
    apiRoot: config.apiRoot, title: config.title, description: config.description, contact: config.contact,
    maxContentLength: config.maxContentLength, asyncThreshold: config.asyncThreshold, maxObjects: config.maxObjects, cursorKey,
  });
}
