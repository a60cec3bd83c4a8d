/**
 * Runs the CLI in this process and captures what it prints: a process start costs seconds
 * on a busy machine, so tests run most commands this way and spawn the real binary once.
 */
import { run } from './program.js';

export async function runInProcess(argv: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
  let code: number;
  try {
    code = await run(['node', 'mamori', ...argv]);
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
  return { code, stdout: out.join('') };
}
