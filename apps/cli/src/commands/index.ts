/**
 * Every part's verbs. A part adds one `register*` line here; its commands live in its own
 * file in this folder and call only the part's public index.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerCore } from './core.js';
import { registerTrust } from './trust.js';
import { registerFlows } from './flows.js';
import { registerSurvey } from './survey.js';
import { registerTelescope } from './telescope.js';
import { registerTaxii } from './taxii.js';
import { registerHub } from './hub.js';
import { registerSupply } from './supply.js';
import { registerDemo } from './demo.js';

export function registerCommands(program: Command, ctx: CliContext): void {
  registerCore(program, ctx);
  registerTrust(program, ctx);
  registerFlows(program, ctx);
  registerSurvey(program, ctx);
  registerTelescope(program, ctx);
  registerHub(program, ctx);
  registerTaxii(program, ctx);
  registerSupply(program, ctx);
  registerDemo(program, ctx);
}
