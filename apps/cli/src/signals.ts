/**
 * Long-running verbs (analyzers, workers, followed captures) stop cleanly on Ctrl-C and on
 * systemd's SIGTERM: the signal aborts, the verb finishes what it holds and prints its totals.
 */
export function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
