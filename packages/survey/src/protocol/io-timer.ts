/**
 * Timeouts that fire only after the I/O already waiting has been read. A busy event loop
 * runs its timers before it polls for I/O, so a plain timeout can fire for a connect or a
 * reply that has in fact arrived: the scanner's own lag, reported as the device's silence.
 * (The 10,000-device sweep lost most of its missed devices this way.) The callback is
 * deferred to the check phase (setImmediate), which comes after the poll phase.
 */
export function ioTimeout(fn: () => void, ms: number): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => { immediate = setImmediate(fn); }, ms);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}
