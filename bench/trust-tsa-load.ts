/**
 * The TSA benchmark's load generator, in its own process: autocannon with the DER query as a
 * Buffer (its CLI `-i` reads the body file as UTF-8, which mangles DER and would measure
 * rejections), checking every reply for a granted PKIStatus. Prints one JSON line.
 *
 *   node --import tsx bench/trust-tsa-load.ts URL QUERY_FILE SECONDS CONNECTIONS
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, queryFile, seconds, connections] = process.argv.slice(2);
// A granted TimeStampResp starts SEQUENCE { SEQUENCE { INTEGER 0 } ...: 30 03 02 01 00 after the
// outer header. autocannon hands bodies over as UTF-8 text; these five octets are ASCII and survive.
const GRANTED = '0\x03\x02\x01\x00';
const cpu0 = process.cpuUsage();
const result = await autocannon({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/timestamp-query' },
  body: readFileSync(queryFile),
  duration: Number(seconds),
  connections: Number(connections),
  verifyBody: (body: string) => body.slice(0, 12).includes(GRANTED),
});
console.log(JSON.stringify({
  perSecond: result.requests.average,
  total: result.requests.total,
  notGranted: result.mismatches,
  non2xx: result.non2xx,
  errors: result.errors,
  p50: result.latency.p50,
  p99: result.latency.p99,
  loaderCpuSec: ((c) => (c.user + c.system) / 1e6)(process.cpuUsage(cpu0)),
}));
