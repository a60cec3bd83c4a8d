import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { MamoriError, isMamoriError } from '@mamori/core';
import { registerCommands } from './commands/index.js';
import { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): { program: Command; ctx: CliContext } {
  const program = new Command('mamori');
  const ctx = new CliContext(program);
  program
    .description('mamori (守り): darknet telescope, IoT survey, C&C detection, CI sharing hub, trust services, supply-chain checks')
    .version(pkg.version, '-V, --version')
    .option('--json', 'machine-readable JSON output on stdout')
    .option('--data <dir>', 'data directory (SQLite file, keys, archives); default ./data or MAMORI_DATA_DIR')
    .option('--config <file>', 'configuration file (TOML or JSON); default MAMORI_CONFIG')
    .option('-q, --quiet', 'only warnings and errors on stderr')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', `
Environment:
  MAMORI_DATABASE_URL   PostgreSQL URL (scale-out store; default: SQLite in the data directory)
  MAMORI_NATS_URL       NATS URL (scale-out bus with JetStream; default: in-process)
  MAMORI_DATA_DIR, MAMORI_LOG_LEVEL, MAMORI_PORT, MAMORI_<SECTION>__<KEY>

Exit codes:
  0  success
  1  failure (bad input, unreachable back end, verification failed)
  2  usage error (unknown command or option, missing argument)`);
  registerCommands(program, ctx);
  // Subcommands share the same overrides so usage errors anywhere exit with 2.
  const walk = (c: Command): void => { c.exitOverride(); c.showHelpAfterError(); c.commands.forEach(walk); };
  walk(program);
  return { program, ctx };
}

/** Runs the CLI and returns the exit code (main.ts passes it to the process). */
export async function run(argv: string[]): Promise<number> {
  const { program, ctx } = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    const err = isMamoriError(e) ? e : new MamoriError('MAMORI_INTERNAL', { reason: (e as Error)?.message ?? String(e) }, { cause: e });
    if (ctx.json) process.stderr.write(`${JSON.stringify({ error: err.toJSON() })}\n`);
    else process.stderr.write(`mamori: ${err.message} [${err.code}]\n`);
    if (err.code === 'MAMORI_INTERNAL' && process.env.MAMORI_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
    return err.code === 'MAMORI_USAGE' ? EXIT.USAGE : EXIT.FAILURE;
  } finally {
    await ctx.close();
  }
}
