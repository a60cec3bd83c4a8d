/**
 * The benchmark's device farm, in its own process (so the scanner and the farm each get a
 * core). Plan comes as JSON on argv; answers `totals` messages with the farm's counters.
 */
import { planFarm, startFarm, type FarmPlanOptions } from '@mamori/testbed';

const plan = JSON.parse(process.argv[2]) as FarmPlanOptions;
const devices = planFarm(plan);
const farm = await startFarm(devices);
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'totals') process.send!({ totals: farm.totals(), acceptErrors: farm.acceptErrors(), cpu: process.cpuUsage() });
  if (m.cmd === 'close') void farm.close().then(() => process.exit(0));
});
process.send!({ ready: devices.length });
