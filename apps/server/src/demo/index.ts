/**
 * `mamori demo`: a living platform for a first look, built end to end through the parts'
 * real code paths (telescope ingest, survey scheduler, flow collector and detection, the
 * supply part's trusted list, hub services, trust seals), every object listed in the demo
 * manifest and removable with `removeDemo` — which deletes exactly what the manifest lists.
 */
import { MamoriError, type Platform } from '@mamori/core';
import { demoFlows, removeFlows } from './flows.js';
import { demoHub, removeHub, type DemoUser } from './hub.js';
import { demoObjects, demoStatus, forgetDemo, recordDemo, type DemoObject } from './manifest.js';
import { demoSupply, removeSupply } from './supply.js';
import { demoSurvey, removeSurvey } from './survey.js';
import { demoTelescope, removeTelescope } from './telescope.js';
import { demoTrustKeys, removeTrustKeys } from './trust.js';

export { demoMigrations, demoStatus, demoObjects, DEMO_KINDS, type DemoObject, type DemoKind } from './manifest.js';
export type { DemoUser } from './hub.js';

export const DEMO_STEPS = ['telescope', 'survey', 'flows', 'supply', 'trust', 'hub'] as const;
export type DemoStep = (typeof DEMO_STEPS)[number];

export interface DemoResult {
  createdAt: number;
  telescope: Record<string, number>;
  survey: Record<string, number>;
  flows: Record<string, number>;
  supply: Record<string, number>;
  hub: Record<string, number>;
  /** Users who can sign in to look around; passwords are random and shown only here. */
  users: DemoUser[];
  objects: number;
}

/**
 * Builds the demo. Each step's objects are recorded as soon as the step ends, so a failure
 * half-way leaves a manifest `removeDemo` can still clean up after.
 */
export async function buildDemo(platform: Platform, options: { onStep?: (step: DemoStep, index: number) => void; now?: number } = {}): Promise<DemoResult> {
  if ((await demoStatus(platform.store)).present) {
    throw new MamoriError('MAMORI_DEMO_PRESENT', { reason: 'demo data is already loaded; remove it first with `mamori demo --remove`' });
  }
  const now = options.now ?? Date.now();
  let objects = 0;
  const step = async <T extends { objects: DemoObject[] }>(name: DemoStep, run: () => Promise<T>): Promise<T> => {
    options.onStep?.(name, DEMO_STEPS.indexOf(name));
    const out = await run();
    await recordDemo(platform.store, out.objects, now);
    objects += out.objects.length;
    return out;
  };
  const telescope = await step('telescope', () => demoTelescope(platform, now));
  const survey = await step('survey', () => demoSurvey(platform));
  const flows = await step('flows', () => demoFlows(platform, now));
  const supply = await step('supply', () => demoSupply(platform, now));
  await step('trust', async () => ({ objects: await demoTrustKeys(platform) }));
  const hub = await step('hub', () => demoHub(platform, flows.cc));
  return { createdAt: now, telescope: telescope.summary, survey: survey.summary, flows: flows.summary, supply: supply.summary, hub: hub.summary, users: hub.users, objects };
}

/** Deletes everything the manifest lists, then the manifest itself; returns what was removed by kind. */
export async function removeDemo(platform: Platform): Promise<{ removed: Record<string, number> }> {
  const objects = await demoObjects(platform.store);
  await removeHub(platform, objects);
  await removeFlows(platform, objects);
  await removeSupply(platform, objects);
  await removeSurvey(platform, objects);
  await removeTelescope(platform, objects);
  removeTrustKeys(objects);
  await forgetDemo(platform.store, objects);
  const removed: Record<string, number> = {};
  for (const o of objects) removed[o.kind] = (removed[o.kind] ?? 0) + 1;
  return { removed };
}
