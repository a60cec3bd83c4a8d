/** Kysely table types of the STIX store (migrations.ts creates them). */

export interface StixCollectionRow {
  id: string;
  title: string;
  description: string | null;
  /** The hub sharing group whose members the collection is shared with; null = the whole community. */
  sharing_group_id: string | null;
  /** TLP given to objects that arrive without a TLP marking. */
  default_tlp: string;
  created: number;
}

export interface StixObjectRow {
  collection_id: string;
  id: string;
  /** The object's version as written (`modified`, else `created`, else date_added). */
  version: string;
  /** Sortable form of the version (timestamp.ts `key`). */
  version_key: string;
  type: string;
  spec_version: string;
  /** Epoch microseconds at which this server added this version. */
  date_added: number;
  /** The strictest TLP the object is readable under (see markings.ts). */
  tlp: string;
  owner_org_id: string | null;
  author_user_id: string | null;
  is_latest: number;
  is_first: number;
  /** SHA-256 of the canonical JSON: tells a duplicate from a conflicting version. */
  digest: string;
  body: string;
}

/** Per-value index for correlation: one row per (value, object version), never pairwise. */
export interface StixValueRow {
  collection_id: string;
  kind: string;
  value: string;
  object_id: string;
  version_key: string;
}

export interface StixStatusRow {
  id: string;
  collection_id: string;
  status: string;
  request_timestamp: number;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes: string;
  failures: string;
  owner_user_id: string | null;
}

/** Where a TAXII client left off, so a pull or push resumes. */
export interface StixSyncRow {
  key: string;
  position: string;
  updated: number;
}

export interface StixTables {
  stix_collection: StixCollectionRow;
  stix_object: StixObjectRow;
  stix_value: StixValueRow;
  stix_status: StixStatusRow;
  stix_sync: StixSyncRow;
}
