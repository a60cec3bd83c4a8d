/**
 * The one way producers (telescope, survey, flows, supply) put STIX objects into a
 * collection: `publishStix(platform, objects, { collection, tlp })`. Every object is marked
 * with at least the given TLP (a stricter marking it already carries stays), validated as
 * a whole before anything is written (one invalid object rejects the call, naming it),
 * stored, and announced on the bus as `mamori.hub.stix.published`.
 */
import { MamoriError, type Bus, type Store } from '@mamori/core';
import { applyTlp } from './markings.js';
import { extractValues } from './store/values.js';
import { StixStore, type AddResult } from './store/stix-store.js';
import { tlpRankOf, type StixTlp } from './tlp.js';
import { assertValidStix } from './validate/validate.js';

export interface PublishOptions {
  /** Collection id; created with `title` when missing and a title is given. */
  collection: string;
  tlp: StixTlp;
  title?: string;
  /** Sharing group of a collection created here (null: the whole community). */
  sharingGroupId?: string | null;
  /**
   * Objects that carry an IP address (an address SCO, or a pattern or property naming one)
   * get at least this TLP: e.g. survey statistics never show addresses below TLP:AMBER.
   */
  minimumTlpForAddresses?: StixTlp;
  ownerOrgId?: string | null;
}

export const STIX_PUBLISHED_SUBJECT = 'mamori.hub.stix.published';

function carriesAddress(o: Record<string, unknown>): boolean {
  return extractValues(o).some((v) => v.kind.startsWith('ipv4-addr:') || v.kind.startsWith('ipv6-addr:'));
}

export async function publishStix(
  target: { store: Store; bus?: Bus },
  objects: Record<string, unknown>[],
  options: PublishOptions,
): Promise<AddResult> {
  const stix = new StixStore(target.store);
  let collection = await stix.getCollection(options.collection);
  if (!collection) {
    if (!options.title) throw new MamoriError('MAMORI_HUB_TAXII_NOT_FOUND', { what: `collection ${options.collection}` });
    collection = await stix.createCollection({ id: options.collection, title: options.title, sharingGroupId: options.sharingGroupId ?? null, defaultTlp: options.tlp });
  }
  const floor = options.minimumTlpForAddresses;
  const marked = objects.map((o) => {
    const level = floor && tlpRankOf(floor) > tlpRankOf(options.tlp) && carriesAddress(o) ? floor : options.tlp;
    return applyTlp(o, level);
  });
  const valid = assertValidStix(marked);
  const result = await stix.add(collection.id, valid, { ownerOrgId: options.ownerOrgId ?? null });
  await target.bus?.publish(STIX_PUBLISHED_SUBJECT, {
    collection: collection.id, added: result.successes.filter((s) => s.tlp !== undefined).length, failed: result.failures.length,
    ids: result.successes.slice(0, 1000).map((s) => s.id),
  });
  return result;
}
