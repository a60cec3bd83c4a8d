import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr when a person is watching (a TTY, no --json); silent otherwise,
 * so scripts and CI logs stay clean. `format` may use cli-progress tokens and payload keys.
 */
export function progressBar(options: { total: number; format: string; enabled: boolean }): Progress {
  if (!options.enabled || !process.stderr.isTTY) {
    return { update() {}, setTotal() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    { format: options.format, stream: process.stderr, hideCursor: true, etaBuffer: 50, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0);
  return {
    update: (value, payload) => bar.update(value, payload),
    setTotal: (total) => bar.setTotal(total),
    stop: () => bar.stop(),
  };
}
