/**
 * @mamori/testbed — generators and emulated hosts with known ground truth. Each part adds
 * its own module here (captures, flows, device farm) and exports it below.
 */
export {};
export * from './flows/index.js';
