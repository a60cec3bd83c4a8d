/**
 * A version scheme: how one ecosystem spells and orders versions. `parse` runs once per
 * distinct string (results are cached by callers), `compare` runs in the matching loop.
 */
export interface VersionScheme<V = unknown> {
  readonly name: string;
  /** The parsed form, or null when the string is not a version in this scheme. */
  parse(version: string): V | null;
  compare(a: V, b: V): number;
}
