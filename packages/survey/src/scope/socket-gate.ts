/**
 * The run's socket budget. Every socket the survey opens holds one slot from the moment it
 * is dialed until it has closed, so sockets in flight never exceed `max` — whatever mix of
 * scanning and probing is running. Probes are served before scans: a login conversation
 * that already found an open port must not starve behind thousands of pending connects.
 *
 * The budget shrinks when the host runs out of a local resource (EMFILE, ENFILE,
 * EADDRNOTAVAIL, ENOBUFS): the cap falls to three quarters of what is open; and by a
 * twentieth when a peer loses a reply (`ease`). It creeps back one slot per `recoverEvery`
 * clean connects, so the scanner settles below the point where the machine, or the
 * network in front of it, starts failing connections because of the scanner itself.
 */

export type GatePriority = 'probe' | 'scan';

export class SocketGate {
  private open = 0;
  private cap: number;
  private peakOpen = 0;
  private clean = 0;
  private readonly waiting: Record<GatePriority, (() => void)[]> = { probe: [], scan: [] };

  constructor(readonly max: number, private readonly floor = Math.max(1, Math.min(16, max)), private readonly recoverEvery = 64) {
    this.cap = max;
  }

  get inUse(): number {
    return this.open;
  }

  get peak(): number {
    return this.peakOpen;
  }

  /** The current (possibly lowered) number of slots. */
  get limit(): number {
    return this.cap;
  }

  acquire(priority: GatePriority): Promise<void> {
    if (this.open < this.cap && this.waiting.probe.length === 0 && (priority === 'probe' || this.waiting.scan.length === 0)) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting[priority].push(() => { this.take(); resolve(); }));
  }

  release(): void {
    this.open--;
    this.pump();
  }

  /** A connect failed for lack of a local resource: fewer sockets from now on. */
  pressure(): void {
    this.cap = Math.max(this.floor, Math.min(this.cap, Math.floor(this.open * 0.75)));
    this.clean = 0;
  }

  /** A peer lost a reply (likely our overload, not a local shortage): a gentler cut of one slot in twenty. */
  ease(): void {
    this.cap = Math.max(this.floor, this.cap - Math.max(1, Math.floor(this.cap / 20)));
    this.clean = 0;
  }

  /** A connect succeeded: after enough of them, one more slot. */
  relief(): void {
    if (this.cap < this.max && ++this.clean >= this.recoverEvery) {
      this.clean = 0;
      this.cap++;
      this.pump();
    }
  }

  private take(): void {
    this.open++;
    if (this.open > this.peakOpen) this.peakOpen = this.open;
  }

  private pump(): void {
    while (this.open < this.cap) {
      const next = this.waiting.probe.shift() ?? this.waiting.scan.shift();
      if (!next) return;
      next();
    }
  }
}
