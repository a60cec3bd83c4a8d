/**
 * TAXII access through the hub's community model: API tokens → Principal
 * (`authenticateBearer`), and THE authorisation function `canRead` / `canWrite` for every
 * object, with the collection's sharing group as the object's sharing scope and the
 * organisation that added an object as its owner. Reads of AMBER and stricter, and every
 * write, go to the hub's audit log.
 */
import type { Kysely } from 'kysely';
import { canRead, canWrite, COMMUNITY, type Principal, type Protected, type Sharing } from '../../access/policy.js';
import { appendAudit, actorOf, auditReads } from '../../audit/log.js';
import { authenticateBearer } from '../../auth/principal.js';
import type { HubContext } from '../../context.js';
import type { HubTables } from '../../model/tables.js';
import type { StixCollection } from '../store/stix-store.js';
import { STIX_TLP_LEVELS, type StixTlp } from '../tlp.js';
import type { ObjectAccessFacts, TaxiiAccess } from './access.js';

/** An owner id no organisation has: used to ask what a non-owner may read. */
const NOBODY = '\u0000nobody';

export function collectionSharing(c: StixCollection): Sharing {
  return c.sharingGroupId ? { scope: 'restricted', groupIds: [c.sharingGroupId] } : COMMUNITY;
}

function protectedOf(c: StixCollection, facts: ObjectAccessFacts): Protected {
  return {
    tlp: facts.tlp, sharing: collectionSharing(c), ownerOrgId: facts.ownerOrgId ?? NOBODY,
    ...(facts.authorUserId ? { authorUserId: facts.authorUserId } : {}),
  };
}

function inCollection(p: Principal, c: StixCollection): boolean {
  return c.sharingGroupId === null || p.groupIds.includes(c.sharingGroupId);
}

export function hubTaxiiAccess(hub: HubContext, options: { ip?: (p: Principal) => string | null } = {}): TaxiiAccess<Principal> {
  return {
    authenticate: (authorization) => authenticateBearer(hub, authorization),
    collectionRights(p, c) {
      const member = inCollection(p, c);
      return { canRead: member && p.scopes.includes('read'), canWrite: member && canWrite(p) };
    },
    narrowing(p, c) {
      const sharing = collectionSharing(c);
      const tlps = STIX_TLP_LEVELS.filter((tlp) => canRead(p, { tlp, sharing, ownerOrgId: NOBODY }));
      return { tlps, ownerOrgId: p.orgId, authorUserId: p.userId };
    },
    canReadObject: (p, c, facts) => canRead(p, protectedOf(c, facts)),
    canReadLevel: (p, c, level: StixTlp, facts) => canRead(p, protectedOf(c, { ...facts, tlp: level })),
    owner: (p) => ({ ownerOrgId: p.orgId, authorUserId: p.userId }),
    canDeleteObject: (p, c, facts) => canWrite(p, protectedOf(c, facts)),
    async audit(p, event, trx) {
      const actor = actorOf(p, options.ip?.(p) ?? null);
      if (event.action === 'read') {
        await auditReads(hub, actor, 'stix-object', event.items, `taxii:${event.collectionId}`);
        return;
      }
      if (event.items.length === 0) return;
      const entry = {
        action: event.action === 'add' ? 'taxii-add' : 'taxii-delete', objectType: 'stix-object',
        objectId: event.items.length === 1 ? event.items[0].id : null,
        tlp: event.items.reduce<StixTlp>((a, b) => (STIX_TLP_LEVELS.indexOf(b.tlp) > STIX_TLP_LEVELS.indexOf(a) ? b.tlp : a), 'CLEAR'),
        detail: { collection: event.collectionId, count: event.items.length, ids: event.items.slice(0, 1000).map((i) => i.id), ...event.detail },
      };
      // The STIX tables and the audit log live in one store: the write's own transaction
      // carries its record, so neither commits without the other.
      if (trx) await appendAudit(hub, trx as unknown as Kysely<HubTables>, actor, entry);
      else await hub.db.transaction().execute((t) => appendAudit(hub, t, actor, entry));
    },
  };
}
