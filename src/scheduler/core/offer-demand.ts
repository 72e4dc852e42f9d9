/**
 * SUPPRESS while nothing waits for offers, REVIVE when something new does. Changes are
 * coalesced: many instances scheduled in one turn cause one REVIVE, not one per instance.
 *
 * Calls on different connections may be reordered, and a DECLINE with a long filter that the
 * master processes after our REVIVE keeps its filter (Marathon repeats REVIVE for this reason).
 * So when no offer arrives soon after a REVIVE while something still waits, it is repeated, a
 * bounded number of times.
 *
 * As Marathon's `--min_revive_offers_interval`, REVIVEs are at least that far apart: one asked for
 * sooner is sent when the interval has passed (it is deferred, never dropped).
 */
import type { Logger } from 'pino';
import type { DriverPort } from './driver-port.js';

export interface OfferDemandOptions {
  driver: () => DriverPort | undefined;
  logger: Logger;
  /** Keys (app@version) of everything that may launch now. */
  wanted: () => ReadonlySet<string>;
  /** Wait this long for offers after a REVIVE before repeating it. Default 2 s. */
  reviveRepeatMs?: number;
  /** Repeats after one REVIVE. Default 3. */
  reviveRepeats?: number;
  /** Least time between two REVIVE calls (`--min_revive_offers_interval`). Default 0. */
  minReviveIntervalMs?: number;
}

export class OfferDemand {
  readonly #opts: OfferDemandOptions;
  #state: 'unknown' | 'revived' | 'suppressed' = 'unknown';
  #known = new Set<string>();
  #pending: NodeJS.Immediate | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #repeatTimer: NodeJS.Timeout | undefined;
  #repeatsLeft = 0;
  #lastReviveAt = Number.NEGATIVE_INFINITY;
  #deferTimer: NodeJS.Timeout | undefined;

  constructor(opts: OfferDemandOptions) {
    this.#opts = opts;
  }

  get state(): 'unknown' | 'revived' | 'suppressed' {
    return this.#state;
  }

  /** Something may have changed what waits for offers. */
  refresh(): void {
    if (this.#pending) return;
    this.#pending = setImmediate(() => {
      this.#pending = undefined;
      this.#flushing = this.#flushing.then(() => this.#flush());
    });
  }

  /** A new subscription does not know what the last one asked for. */
  onSubscribed(): void {
    this.#state = 'unknown';
    this.#known.clear();
    this.refresh();
  }

  /** Offers arrived: a REVIVE (if any) took effect. */
  offersReceived(): void {
    this.#cancelRepeat();
  }

  close(): void {
    if (this.#pending) clearImmediate(this.#pending);
    this.#pending = undefined;
    this.#cancelRepeat();
    if (this.#deferTimer) clearTimeout(this.#deferTimer);
    this.#deferTimer = undefined;
  }

  /** Milliseconds until a REVIVE may be sent again; 0 when it may go now. */
  #reviveWaitMs(): number {
    return Math.max(0, this.#lastReviveAt + (this.#opts.minReviveIntervalMs ?? 0) - Date.now());
  }

  /** Sends REVIVE and notes when, for `minReviveIntervalMs`. */
  async #revive(driver: DriverPort): Promise<void> {
    this.#lastReviveAt = Date.now();
    await driver.revive();
  }

  /** A REVIVE is due but too soon after the last one: flush again once the interval has passed. */
  #deferFlush(waitMs: number): void {
    if (this.#deferTimer) return;
    this.#opts.logger.debug({ waitMs }, 'REVIVE deferred by --min_revive_offers_interval');
    this.#deferTimer = setTimeout(() => {
      this.#deferTimer = undefined;
      this.refresh();
    }, waitMs);
    this.#deferTimer.unref();
  }

  #cancelRepeat(): void {
    if (this.#repeatTimer) clearTimeout(this.#repeatTimer);
    this.#repeatTimer = undefined;
    this.#repeatsLeft = 0;
  }

  #scheduleRepeat(): void {
    if (this.#repeatTimer) clearTimeout(this.#repeatTimer);
    this.#repeatTimer = setTimeout(
      () => {
        this.#repeatTimer = undefined;
        this.#flushing = this.#flushing.then(() => this.#repeat());
      },
      Math.max(this.#opts.reviveRepeatMs ?? 2_000, this.#opts.minReviveIntervalMs ?? 0),
    );
    this.#repeatTimer.unref();
  }

  async #repeat(): Promise<void> {
    const driver = this.#opts.driver();
    if (!driver || driver.state !== 'subscribed' || this.#state !== 'revived' || this.#repeatsLeft <= 0) return;
    if (this.#opts.wanted().size === 0) return;
    // A fresh REVIVE went out meanwhile; repeat one interval after it.
    if (this.#reviveWaitMs() > 0) {
      this.#scheduleRepeat();
      return;
    }
    this.#repeatsLeft--;
    try {
      await this.#revive(driver);
      this.#opts.logger.info({ repeatsLeft: this.#repeatsLeft }, 'no offers since REVIVE while instances wait; revived again');
    } catch (err) {
      this.#opts.logger.warn({ err }, 'repeated REVIVE failed');
    }
    if (this.#repeatsLeft > 0) this.#scheduleRepeat();
  }

  async #flush(): Promise<void> {
    const driver = this.#opts.driver();
    if (!driver || driver.state !== 'subscribed') return;
    const wanted = this.#opts.wanted();
    try {
      if (wanted.size === 0) {
        if (this.#state !== 'suppressed') {
          this.#cancelRepeat();
          this.#state = 'suppressed';
          this.#known = new Set();
          await driver.suppress();
          this.#opts.logger.info('nothing to launch; offers suppressed');
        }
        return;
      }
      const fresh = [...wanted].filter((key) => !this.#known.has(key));
      if (this.#state !== 'revived' || fresh.length > 0) {
        const wait = this.#reviveWaitMs();
        if (wait > 0) {
          this.#deferFlush(wait);
          return;
        }
        this.#known = new Set(wanted);
        this.#state = 'revived';
        await this.#revive(driver);
        this.#opts.logger.info({ launchKeys: fresh.length > 0 ? fresh : [...wanted] }, 'instances waiting; offers revived');
        this.#repeatsLeft = this.#opts.reviveRepeats ?? 3;
        this.#scheduleRepeat();
      } else {
        this.#known = new Set(wanted);
      }
    } catch (err) {
      // Retry on the next change or subscription rather than assume the call landed.
      this.#state = 'unknown';
      this.#opts.logger.warn({ err }, 'SUPPRESS/REVIVE failed');
    }
  }
}
