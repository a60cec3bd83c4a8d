/**
 * The `[telescope]` configuration section: the operator's darknet and research-scanner
 * prefixes (so a sensor host's unit file need not repeat them on every command line) and
 * the IP-to-country table the dashboard's map reads. Command-line flags override keys.
 */
import { z } from 'zod';
import { configSection, type MamoriConfig } from '@mamori/core';

/** A prefix list as an array (TOML/JSON) or one comma/space-separated text (environment variable). */
const prefixList = z.union([z.array(z.string().min(1)), z.string()]).transform((v) => (Array.isArray(v) ? v.join(',') : v));

export const telescopeConfigSchema = z.object({
  /** Darknet prefixes: packets to other addresses are skipped; the size scales backscatter rates. */
  darknet: prefixList.optional(),
  /** Known research-scanner prefixes. */
  research: prefixList.optional(),
  /** A file of research-scanner prefixes, one per line. */
  researchFile: z.string().min(1).optional(),
  /** Operator-supplied IP-to-country CSV for the source-country map. */
  countryTable: z.string().min(1).optional(),
});

export type TelescopeConfig = z.infer<typeof telescopeConfigSchema>;

export function telescopeConfig(config: MamoriConfig): TelescopeConfig {
  return configSection(config, 'telescope', telescopeConfigSchema);
}
