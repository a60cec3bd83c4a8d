/**
 * @mamori/testbed — generators and emulated hosts with known ground truth. Each part adds
 * its own module here (captures, flows, device farm) and exports it below.
 */
export { runMamori, startMamori, CLI_MAIN, type CliResult, type MamoriProcess } from './processes.js';
export * from './flows/index.js';
export * from './telescope/index.js';
export * from './supply/index.js';
export * from './survey/index.js';
