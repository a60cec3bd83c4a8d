/**
 * Where the hub may send webhooks. A member could aim a webhook at the hub's own network
 * (SSRF: the cloud metadata service, an admin port on loopback, a database on a private
 * address). Checking the URL when the subscription is made is not enough: a name can resolve
 * anywhere, and can resolve differently a second later (DNS rebinding). So at delivery the
 * name is resolved once, every address it gives is checked, and the connection goes to the
 * checked address, never to a second lookup.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { MamoriError, PrefixSet, parseIp } from '@mamori/core';

// Loopback, private, shared (CGN), link-local, unspecified, "this network", IETF protocol
// assignments, benchmarking, multicast and reserved ranges; IPv4-mapped and NAT64 IPv6 forms
// reach IPv4 hosts, so they are internal too.
const INTERNAL = new PrefixSet([
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16',
  '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
  '::/128', '::1/128', '::ffff:0:0/96', '64:ff9b::/96', '64:ff9b:1::/48', 'fc00::/7', 'fe80::/10', 'ff00::/8',
]);

export const ALLOW_INTERNAL_HINT = 'set hub.alerts.allowInternalTargets to allow';

/** Is this address (literal) in a loopback, private, link-local or otherwise internal range? Unparsable counts as internal. */
export function isInternalAddress(address: string): boolean {
  try {
    return INTERNAL.has(parseIp(address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')));
  } catch {
    return true;
  }
}

/** Is this host name internal by name alone (`localhost` and its sub-names, or an internal literal)? */
export function isInternalHostName(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isIP(h) !== 0 && isInternalAddress(h);
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name → addresses; replaceable in tests (a name that resolves to loopback, or rebinds). */
export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/**
 * The one address a delivery to `url` connects to. Every address the name resolves to must
 * be external unless `allowInternal`: a name with one public and one loopback address is
 * refused, since the kernel, not the hub, would pick between them.
 */
export async function resolveDeliveryAddress(url: URL, allowInternal: boolean, resolve: HostResolver = systemResolver): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const target = url.href;
  const refuse = (reason: string): never => { throw new MamoriError('MAMORI_HUB_DELIVERY', { target, reason }); };
  if (!allowInternal && isInternalHostName(host)) refuse(`${host} is an internal address (${ALLOW_INTERNAL_HINT})`);
  const family = isIP(host);
  let addresses: ResolvedAddress[];
  if (family !== 0) {
    addresses = [{ address: host, family: family as 4 | 6 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (e) {
      return refuse(`cannot resolve ${host}: ${(e as Error).message}`);
    }
  }
  if (addresses.length === 0) refuse(`${host} has no address`);
  if (!allowInternal) {
    const internal = addresses.find((a) => isInternalAddress(a.address));
    if (internal) refuse(`${host} resolves to the internal address ${internal.address} (${ALLOW_INTERNAL_HINT})`);
  }
  return addresses[0];
}
