import type { Clock, PeerAddress } from '../services.js';
import type { AddressBook } from './address-book.js';
import type { PeerBook } from './peer-book.js';

/** Exchanged (hearsay) addresses are dialled at most this often, so a peer's list cannot make us greet strangers in bulk. */
const EXCHANGE_DIAL_EVERY_MS = 1000;

/**
 * Who we greet, and when: addresses whose retry time has come, while outbound slots are free.
 * Hearsay addresses take at most `maxOutboundExchanged` of them and one dial a second;
 * discovery's may take a hearsay session's slot (PeerBook.makeRoom gives it back).
 */
export class Dialer {
  private lastExchangeDial = 0;

  constructor(
    private readonly book: PeerBook,
    private readonly addresses: AddressBook,
    private readonly clock: Clock,
    private readonly greet: (address: PeerAddress) => void,
    private readonly isSelf: (address: PeerAddress) => boolean,
  ) {}

  dial(): void {
    const now = this.clock.now();
    const { maxOutbound, maxOutboundExchanged } = this.book.options;
    let outbound = this.book.all().filter((p) => p.origin === 'outbound').length;
    let hearsay = this.book.exchangedOutbound().length;
    for (const entry of this.addresses.due()) {
      const exchanged = entry.source === 'exchange';
      if (outbound >= maxOutbound && (exchanged || hearsay === 0)) continue;
      if (exchanged && hearsay >= maxOutboundExchanged) continue;
      if (this.book.get(entry.address) || this.book.isBanned(entry.key) || this.isSelf(entry.address)) continue;
      if (exchanged) {
        if (now - this.lastExchangeDial < EXCHANGE_DIAL_EVERY_MS) continue;
        this.lastExchangeDial = now;
        hearsay++;
      } else if (outbound >= maxOutbound) hearsay--;
      this.addresses.attempted(entry.address);
      this.greet(entry.address);
      outbound++;
    }
  }
}
