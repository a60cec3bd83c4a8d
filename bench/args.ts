import { fork } from 'node:child_process';

/** Command-line options of bench scripts: `--name 123` as a number, or the default. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Forks a bench script (run from TypeScript sources) and resolves on its first message (ready). */
export function forkReady(module: string, args: string[]): Promise<import('node:child_process').ChildProcess> {
  const child = fork(module, args, { execArgv: ['--conditions=@mamori/source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', () => resolve(child));
  });
}
