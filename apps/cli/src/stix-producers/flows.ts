/**
 * Flows → STIX: each C&C candidate becomes a command-and-control infrastructure consisting
 * of its address, an indicator for the address, and the indicator's `indicates` link to the
 * infrastructure. The candidate's score is the confidence, its reasons the description.
 */
import { addressIndicator, commandAndControl, relationship } from '@mamori/hub';
import type { Candidate } from '@mamori/flows';
import { uniqueById, type StixObject } from './unique.js';

function candidateObjects(c: Candidate): StixObject[] {
  const ports = [...new Set(c.evidence.ports.map((p) => p.port))].sort((a, b) => a - b);
  const description = `${c.evidence.reasons.join('; ')}${ports.length ? `; port(s) ${ports.slice(0, 20).join(', ')}` : ''}`;
  const firstSeen = new Date(c.firstSeen);
  const lastSeen = new Date(Math.max(c.firstSeen, c.lastSeen));
  const [address, infrastructure, consistsOf] = commandAndControl({
    address: c.address, port: ports.length === 1 ? ports[0] : undefined, firstSeen, lastSeen, score: c.score, description,
  });
  const [, indicator] = addressIndicator({
    address: c.address, role: 'c2', name: `Suspected C&C server ${c.address}`, description, validFrom: firstSeen, modified: lastSeen,
    confidence: Math.round(Math.max(0, Math.min(1, c.score)) * 100), indicatorTypes: ['malicious-activity'],
  });
  const indicates = relationship({ source: indicator.id as string, type: 'indicates', target: infrastructure.id as string, created: firstSeen, modified: lastSeen });
  return [address, infrastructure, consistsOf, indicator, indicates];
}

export function flowsToStix(candidates: Candidate[]): StixObject[] {
  return uniqueById(candidates.flatMap(candidateObjects));
}
