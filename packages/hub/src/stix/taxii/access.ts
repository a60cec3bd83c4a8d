/**
 * What the TAXII server needs to know about its callers, as one narrow interface. The hub's
 * community model implements it (hub-access.ts: API tokens → Principal, `canRead` /
 * `canWrite` with TLP and sharing groups); tests and embedded uses may give another.
 */
import type { Kysely } from 'kysely';
import type { AddContext, ReadNarrowing, StixCollection } from '../store/stix-store.js';
import type { StixTables } from '../store/tables.js';
import type { StixTlp } from '../tlp.js';

/** What the rules need to know about a stored object. */
export interface ObjectAccessFacts {
  tlp: StixTlp;
  ownerOrgId: string | null;
  authorUserId: string | null;
}

export interface TaxiiAccess<P = unknown> {
  /** The caller behind an Authorization header; throws a 401 MamoriError when there is none. */
  authenticate(authorization: string | undefined): Promise<P>;
  /** Whether the caller may list and read the collection at all, and add objects to it. */
  collectionRights(principal: P, collection: StixCollection): { canRead: boolean; canWrite: boolean };
  /** SQL narrowing of reads in the collection (a superset of what `canReadObject` admits). */
  narrowing(principal: P, collection: StixCollection): ReadNarrowing;
  /** The final word on one object: SQL narrows, this decides. */
  canReadObject(principal: P, collection: StixCollection, facts: ObjectAccessFacts): boolean;
  /** Whether the caller may read properties under a granular marking of `level`. */
  canReadLevel(principal: P, collection: StixCollection, level: StixTlp, facts: ObjectAccessFacts): boolean;
  /** Who owns the objects this caller adds. */
  owner(principal: P): AddContext;
  /** Whether the caller may delete an object it can read. */
  canDeleteObject(principal: P, collection: StixCollection, facts: ObjectAccessFacts): boolean;
  /**
   * Records what the caller read, added or deleted (the hub's append-only audit log). Adds
   * and deletes pass the transaction that writes them, so the record commits with the write.
   */
  audit?(principal: P, event: TaxiiAuditEvent, trx?: Kysely<StixTables>): Promise<void>;
}

export interface TaxiiAuditEvent {
  action: 'read' | 'add' | 'delete';
  collectionId: string;
  items: { id: string; tlp: StixTlp }[];
  detail?: Record<string, unknown>;
}
