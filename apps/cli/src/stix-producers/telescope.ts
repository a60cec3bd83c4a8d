/**
 * Telescope → STIX: a scan-campaign alert (a port whose unique sources jumped above its
 * baseline) becomes an anomalous-activity indicator for that port; each Mirai-like scanner
 * (an infected host) becomes an indicator for its address, and the window's scanners one
 * observed-data over their address objects (named by the scanners and their times, so the
 * same findings published again are the same objects).
 */
import { addressIndicator, observation, portActivityIndicator } from '@mamori/hub';
import type { InfectedHost, StoredAlert } from '@mamori/telescope';
import { uniqueById, type StixObject } from './unique.js';

export interface TelescopeFindings {
  alerts: StoredAlert[];
  infected: InfectedHost[];
}

function campaignIndicator(a: StoredAlert): StixObject | undefined {
  if (a.proto !== 'tcp' && a.proto !== 'udp') return undefined;
  return portActivityIndicator({
    protocol: a.proto, port: a.port, at: new Date(a.bucketMs), name: `Darknet scan campaign on ${a.proto}/${a.port}`,
    description: `${a.sources} unique sources against a baseline of ${a.baselineMean.toFixed(1)} ± ${a.baselineStddev.toFixed(1)}; ${a.packets} packets`,
  });
}

function scannerIndicator(h: InfectedHost): StixObject[] {
  return addressIndicator({
    address: h.address, role: 'infected-host', name: `Mirai-like scanner ${h.address}`, indicatorTypes: ['compromised', 'malicious-activity'],
    description: `${h.fingerprint} fingerprint; ${h.packets} packets to the darknet on port(s) ${h.ports.slice(0, 20).join(', ')}`,
    validFrom: new Date(h.firstMs), modified: new Date(Math.max(h.firstMs, h.lastMs)),
  });
}

export function telescopeToStix(f: TelescopeFindings): StixObject[] {
  const objects: StixObject[] = f.alerts.map(campaignIndicator).filter((o): o is StixObject => o !== undefined);
  objects.push(...f.infected.flatMap(scannerIndicator));
  if (f.infected.length) {
    const addresses = f.infected.map((h) => h.address);
    const first = Math.min(...f.infected.map((h) => h.firstMs));
    const last = Math.max(...f.infected.map((h) => h.lastMs));
    objects.push(...observation({
      addresses, firstObserved: new Date(first), lastObserved: new Date(last), count: f.infected.reduce((n, h) => n + h.packets, 0),
      // Named by what was seen, not by when it was asked: the same findings give the same object.
      key: `telescope-infected|${first}|${last}|${[...addresses].sort().join(',')}`,
    }));
  }
  return uniqueById(objects);
}
