export type StixObject = Record<string, unknown>;

/** Drops repeats of an object (the same address SCO from an indicator and an observation). */
export function uniqueById(objects: StixObject[]): StixObject[] {
  const seen = new Set<unknown>();
  return objects.filter((o) => (seen.has(o.id) ? false : (seen.add(o.id), true)));
}
