/** Exit codes scripts can trust (also listed in `mamori --help` and the README). */
export const EXIT = {
  OK: 0,
  /** The command ran and failed: bad input, unreachable back end, verification failed. */
  FAILURE: 1,
  /** The command line itself was wrong: unknown command or option, missing argument. */
  USAGE: 2,
} as const;
