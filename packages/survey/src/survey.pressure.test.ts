/**
 * A survey under resource pressure must still find every weak device. Two ways a big sweep
 * ran short before: the farm (the peer) out of descriptors, hanging up on connections past
 * its limit, and the scanner itself out of descriptors (EMFILE at connect). Neither may turn
 * a weak device into "not weak": sockets in flight stay within the run's concurrency, and a
 * failure that is the scanner's own is backed off and retried.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { isWeak, planFarm, startFarm, type Farm } from '@mamori/testbed';
import { SurveyScope } from './scope/scope.js';
import { runSurvey, type SurveyOptions } from './scheduler.js';
import { defaultDictionary } from './credentials.js';

const pairs = defaultDictionary().pairs.slice(0, 12);
const NET = 47;
const devices = planFarm({ net: NET, telnet: 150, http: 150, weakShare: 0.2, dictionary: pairs });
const expected = devices.filter((d) => isWeak(d, pairs)).map((d) => `${d.address}:${d.port}`).sort();
const scope = SurveyScope.fromText(`127.${NET}.0.0/24\n127.${NET}.1.0/24\n`);

function survey(extra: Partial<SurveyOptions>): ReturnType<typeof runSurvey> {
  return runSurvey({
    scope,
    ports: [2323, 8080],
    pairs,
    limits: { globalRate: 20_000, perSlash24Rate: 20_000, perHostConnections: 2, maxAttemptsPerHost: 200 },
    timeouts: { bannerMs: 1500, replyMs: 4000, connectionMs: 30_000 },
    ...extra,
  });
}

let farm: Farm | undefined;
afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

describe('survey under resource pressure', () => {
  it('keeps sockets in flight within the concurrency, so a peer with little headroom loses no device', async () => {
    farm = await startFarm(devices, { maxConnections: 40 });
    const result = await survey({ concurrency: 32 });
    expect(result.stats.peakInFlight).toBeLessThanOrEqual(32);
    // The farm sees a close a moment after the scanner does, so a few connections may still
    // meet a full farm: those must be retried, not lost.
    expect(result.findings.map((f) => `${f.address}:${f.port}`).sort(), JSON.stringify(result.stats.outcomes)).toEqual(expected);
    expect(result.stats.outcomes.weak).toBe(expected.length);
    expect(result.stats.tasksDone).toBe(result.stats.tasksTotal);
  }, 180_000);

  it('backs off and retries when the scanner itself runs out of descriptors (EMFILE), never counting it as closed', async () => {
    farm = await startFarm(devices);
    // An emulated descriptor limit of 16 sockets for a run asked to keep 64 in flight.
    const limit = 16;
    let open = 0;
    let emfile = 0;
    const dial: SurveyOptions['dial'] = (o) => {
      if (open >= limit) {
        emfile++;
        const s = new net.Socket();
        process.nextTick(() => s.destroy(Object.assign(new Error(`connect EMFILE ${o.host}:${o.port}`), { code: 'EMFILE', syscall: 'connect' })));
        return s;
      }
      open++;
      const s = net.connect(o);
      s.once('close', () => { open--; });
      return s;
    };
    const result = await survey({ concurrency: 64, dial });
    expect(emfile).toBeGreaterThan(0);
    expect(result.stats.failures.EMFILE).toBe(emfile);
    expect(result.stats.localRetries).toBeGreaterThan(0);
    expect(result.findings.map((f) => `${f.address}:${f.port}`).sort(), JSON.stringify(result.stats.outcomes)).toEqual(expected);
    // Every port the farm listens on was seen open; every other one was refused, none lost.
    expect((result.stats.outcomes.closed ?? 0) + result.stats.openPorts).toBe(result.stats.tasksTotal);
  }, 180_000);

  // A distributed worker that loses its item's claim aborts: from then on not one connection more.
  it('dials nothing once its abort signal has fired, and ends without waiting for the rest of the scope', async () => {
    farm = await startFarm(devices);
    const stop = new AbortController();
    let dials = 0;
    let dialsAfterAbort = 0;
    const dial: SurveyOptions['dial'] = (o) => {
      dials++;
      if (stop.signal.aborted) dialsAfterAbort++;
      if (dials === 100) stop.abort();
      return net.connect(o);
    };
    const result = await survey({ concurrency: 32, dial, signal: stop.signal });
    expect(stop.signal.aborted).toBe(true);
    expect(dialsAfterAbort).toBe(0);
    expect(result.stats.connects).toBe(100);
    expect(result.stats.tasksDone).toBeLessThan(result.stats.tasksTotal);
  }, 60_000);
});
