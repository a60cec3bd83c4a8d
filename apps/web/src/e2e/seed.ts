/**
 * Seeds the e2e server through the parts' public APIs, for the parts that are present:
 * nothing is written into tables directly, so the test sees what a real deployment would.
 */
import type { Platform } from '@mamori/core';
import * as hub from '@mamori/hub';
import { migrationSets } from '@mamori/server';

export interface Seeded {
  /** A hub user who can sign in, when the hub's community model is installed. */
  user?: { username: string; password: string; orgName: string };
  notes: string[];
}

export async function seed(platform: Platform): Promise<Seeded> {
  const notes: string[] = [];
  const out: Seeded = { notes };
  // The hub's tables exist only where the server registers its migrations.
  if (migrationSets.some((m) => m.part === 'hub')) {
    const ctx = hub.hubContext(platform);
    const actor = hub.actorOf(hub.LOCAL_OPERATOR, '127.0.0.1');
    const org = await hub.addOrg(ctx, hub.LOCAL_OPERATOR, actor, { name: '電力 CEPTOAR 事務局', sector: 'electric-power', role: 'ceptoar-secretariat' });
    const password = 'correct horse battery staple';
    await hub.addUser(ctx, hub.LOCAL_OPERATOR, actor, { orgId: org.id, username: 'secretariat1', displayName: '山田 花子', roles: ['secretariat', 'analyst'], password });
    out.user = { username: 'secretariat1', password, orgName: org.name };
    notes.push('hub: one CEPTOAR secretariat organisation and user');
  }
  return out;
}
