export { run, buildProgram } from './program.js';
export { CliContext, table, type GlobalOptions } from './context.js';
export { progressBar, type Progress } from './progress.js';
export { EXIT } from './exit-codes.js';
