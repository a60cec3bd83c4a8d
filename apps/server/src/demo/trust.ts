/**
 * Demo trust: the advisory is sealed (JAdES, with an RFC 3161 signature time stamp) by the
 * installation's e-seal. Where no keys exist yet the demo makes them like `mamori trust init`
 * and lists them, so `--remove` takes away exactly those files.
 */
import { existsSync, rmSync } from 'node:fs';
import type { Platform } from '@mamori/core';
import { anchorsFile, initTrust, openTrust, trustConfig, trustFiles, type JwsFlattened } from '@mamori/trust';
import type { DemoObject } from './manifest.js';

const ROLES = ['root', 'tsa', 'seal'] as const;

export async function demoTrustKeys(platform: Platform): Promise<DemoObject[]> {
  const { dir } = trustConfig(platform.config);
  if (existsSync(trustFiles(dir, 'seal').key)) return [];
  await initTrust({ dir, organisation: 'mamori demo' });
  return [{ kind: 'trust-keys', ref: dir }];
}

/** The sealed document as JAdES JSON serialisation, level T (time-stamped by the TSA). */
export async function sealDocument(platform: Platform, doc: unknown): Promise<string | JwsFlattened> {
  const trust = openTrust({ config: platform.config, store: platform.store });
  try {
    return await trust.sealJson(doc, { serialization: 'json', level: 'T' });
  } finally {
    await trust.close();
  }
}

export function removeTrustKeys(objects: DemoObject[]): void {
  for (const o of objects) {
    if (o.kind !== 'trust-keys') continue;
    for (const role of ROLES) for (const file of Object.values(trustFiles(o.ref, role))) rmSync(file, { force: true });
    rmSync(anchorsFile(o.ref), { force: true });
  }
}
