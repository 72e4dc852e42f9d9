/**
 * SUPPRESS while nothing waits for offers, REVIVE when something new does. Changes are
 * coalesced: many instances scheduled in one turn cause one REVIVE, not one per instance.
 */
import type { Logger } from 'pino';
import type { DriverPort } from './driver-port.js';

export interface OfferDemandOptions {
  driver: () => DriverPort | undefined;
  logger: Logger;
  /** Keys (app@version) of everything that may launch now. */
  wanted: () => ReadonlySet<string>;
}

export class OfferDemand {
  readonly #opts: OfferDemandOptions;
  #state: 'unknown' | 'revived' | 'suppressed' = 'unknown';
  #known = new Set<string>();
  #pending: NodeJS.Immediate | undefined;
  #flushing: Promise<void> = Promise.resolve();

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

  close(): void {
    if (this.#pending) clearImmediate(this.#pending);
    this.#pending = undefined;
  }

  async #flush(): Promise<void> {
    const driver = this.#opts.driver();
    if (!driver || driver.state !== 'subscribed') return;
    const wanted = this.#opts.wanted();
    try {
      if (wanted.size === 0) {
        if (this.#state !== 'suppressed') {
          this.#state = 'suppressed';
          this.#known = new Set();
          await driver.suppress();
          this.#opts.logger.info('nothing to launch; offers suppressed');
        }
        return;
      }
      const fresh = [...wanted].filter((key) => !this.#known.has(key));
      this.#known = new Set(wanted);
      if (this.#state !== 'revived' || fresh.length > 0) {
        this.#state = 'revived';
        await driver.revive();
        this.#opts.logger.info({ launchKeys: fresh.length > 0 ? fresh : [...wanted] }, 'instances waiting; offers revived');
      }
    } catch (err) {
      // Retry on the next change or subscription rather than assume the call landed.
      this.#state = 'unknown';
      this.#opts.logger.warn({ err }, 'SUPPRESS/REVIVE failed');
    }
  }
}
