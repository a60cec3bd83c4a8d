/**
 * Known bots for flow correlation, from what this platform itself observed: hosts the
 * telescope saw scanning with a Mirai-like fingerprint, and devices the survey found weak.
 * The data flows telescope/survey → flows as DESIGN.md draws it; this edge joins them.
 */
import { DAY_MS, type Platform } from '@mamori/core';
import type { KnownBot } from '@mamori/flows';
import { listWeakDevices } from '@mamori/survey';
import { infectedHosts } from '@mamori/telescope';

export async function storedKnownBots(platform: Platform, windowMs = 30 * DAY_MS): Promise<KnownBot[]> {
  const [infected, weak] = await Promise.all([
    infectedHosts(platform.store, { sinceMs: Date.now() - windowMs }),
    listWeakDevices(platform.store),
  ]);
  return [
    ...infected.map((h): KnownBot => ({ address: h.address, source: 'telescope', reason: `${h.fingerprint} scanner seen by the telescope (${h.packets} packets)` })),
    ...weak.map((d): KnownBot => ({ address: d.address, source: 'survey', reason: `weak ${d.protocol} login found by the survey on port ${d.port}` })),
  ];
}
