/**
 * A small supply-chain world the supply tests share: a router's firmware SBOM (CycloneDX 1.5
 * XML, firmware → webui → lodash) and two OSV advisories against it — a high-severity one in
 * lodash (the real GHSA-35jh-r3h4-6jhm) and a critical one in webui.
 */

export const ROUTER_SBOM_XML = `<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <metadata><component type="firmware" bom-ref="fw"><name>AX-3000 firmware</name><version>2.1</version></component></metadata>
  <components>
    <component type="library" bom-ref="web"><name>webui</name><version>1.0.0</version><purl>pkg:npm/webui@1.0.0</purl></component>
    <component type="library" bom-ref="lodash"><name>lodash</name><version>4.17.20</version><purl>pkg:npm/lodash@4.17.20</purl></component>
  </components>
  <dependencies><dependency ref="fw"><dependency ref="web"/></dependency><dependency ref="web"><dependency ref="lodash"/></dependency></dependencies>
</bom>`;

/** High (CVSS 7.2): lodash before 4.17.21. */
export const LODASH_OSV = {
  id: 'GHSA-35jh-r3h4-6jhm', modified: '2024-01-01T00:00:00Z', aliases: ['CVE-2021-23337'], summary: 'Command injection in lodash',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }],
};

/** Critical (CVSS 9.8): webui before 1.0.1. */
export const WEBUI_CRITICAL_OSV = {
  id: 'GHSA-crit', modified: '2024-01-01T00:00:00Z', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [{ package: { ecosystem: 'npm', name: 'webui' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }],
};
