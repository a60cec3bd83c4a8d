/**
 * @mamori/hub — the critical-infrastructure sharing community (organisations, sectors,
 * reports, severity, TLP 2.0, relay, alerts, audit) and its STIX 2.1 store / TAXII 2.1.
 */
// Community model, reports, TLP, alerts, audit (issue 9) export below.

// STIX 2.1 store and TAXII 2.1 (issue 10): everything under ./stix/.
export * from './stix/index.js';
