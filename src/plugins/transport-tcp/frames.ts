import { TransportError } from './errors.js';

/**
 * The TCP wire: `u32 length | type u8 | body`, big-endian, where length counts the type byte and
 * the body. A connection's first frame is a hello (`port u16 | host`, the dialler's listening
 * address, which only opens the connection); every later frame is data.
 */
export const FRAME_HELLO = 0;
export const FRAME_DATA = 1;
export const LENGTH_BYTES = 4;
export const MAX_HOST_BYTES = 255;
export const HELLO_MAX_FRAME_BYTES = 1 + 2 + MAX_HOST_BYTES;

/** Bytes that the unfinished frames of every connection of a transport may still hold. */
export interface ReadBudget {
  left: number;
}

export class ReadBudgetError extends TransportError {
  constructor() {
    super('TRANSPORT_OVER_BUFFERED', 'unfinished frames of all connections would exceed the read budget');
  }
}

/** The head of a frame of `type` carrying `bodyLength` bytes. */
export function frameHead(type: number, bodyLength: number): Buffer {
  const head = Buffer.allocUnsafe(LENGTH_BYTES + 1);
  head.writeUInt32BE(bodyLength + 1, 0);
  head[LENGTH_BYTES] = type;
  return head;
}

/**
 * Reads frames from a byte stream, however the reads split or coalesce them. The length is
 * checked before any of the body is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** When the bytes now held began to arrive: an unfinished frame has a deadline. */
  private since = 0;

  /** `budget` is shared by every reader of a transport: it refuses a chunk that would exceed it. */
  constructor(
    public maxFrameBytes: number,
    private readonly budget: ReadBudget = { left: Infinity },
  ) {}

  /** Bytes held for an unfinished frame; given back to the budget on `release`. */
  get held(): number {
    return this.buffered;
  }

  /** Since when the held bytes have waited for the rest of their frame (0 when nothing is held). */
  get heldSince(): number {
    return this.buffered ? this.since : 0;
  }

  release(): void {
    this.budget.left += this.buffered;
    this.buffered = 0;
    this.chunks = [];
  }

  /**
   * Hands each complete frame to `onFrame` in order, one at a time (a frame may change the limit
   * for the next); throws `TransportError` on an impossible length.
   */
  push(chunk: Buffer, onFrame: (type: number, body: Buffer) => void, now = Date.now()): void {
    if (chunk.length > this.budget.left) throw new ReadBudgetError();
    this.budget.left -= chunk.length;
    if (this.buffered === 0) this.since = now;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < LENGTH_BYTES) break;
      const head = this.peek(LENGTH_BYTES);
      const length = head.readUInt32BE(0);
      if (length < 1 || length > this.maxFrameBytes)
        throw new TransportError('TRANSPORT_BAD_FRAME', `a frame of ${length} bytes is outside 1..${this.maxFrameBytes}`);
      if (this.buffered < LENGTH_BYTES + length) break;
      const frame = this.take(LENGTH_BYTES + length);
      this.budget.left += LENGTH_BYTES + length;
      this.since = now;
      onFrame(frame[LENGTH_BYTES]!, frame.subarray(LENGTH_BYTES + 1));
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0]!;
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
