/**
 * Tracker frames: a u32 big-endian length, then that many bytes of UTF-8 JSON. TCP is a
 * byte stream, so one read may hold two frames or a third of one; the original parsed each
 * read as one JSON document and its handler died on the first coalesced pair.
 */

/** 1 MiB: a peer list of `MAX_NETWORK_PEERS` worst-case addresses fits with room to spare. */
export const MAX_FRAME_BYTES = 1024 * 1024;
export const FRAME_HEADER_BYTES = 4;

export type FrameErrorCode = 'FRAME_TOO_LARGE' | 'FRAME_EMPTY';

export interface FrameError {
  code: FrameErrorCode;
  message: string;
}

export interface DecodeResult {
  /** Complete frame bodies, in order. */
  frames: Buffer[];
  /** Set once the stream is unusable; the connection should be closed with this reason. */
  error?: FrameError;
}

export function encodeFrame(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Reassembles frames from arbitrary chunks. Never throws: a length of zero or above the
 * bound poisons the decoder (a length prefix that is wrong once leaves no way to find the
 * next frame), and every later push reports the same error.
 *
 * Chunks are kept as a list and joined only when a whole frame is present, so a frame
 * delivered one byte at a time costs linear, not quadratic, copying.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body length of the frame being assembled, once its header is in. */
  private expected: number | undefined;
  private failure: FrameError | undefined;

  constructor(readonly maxFrameBytes: number = MAX_FRAME_BYTES) {}

  /** Bytes held while waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  get error(): FrameError | undefined {
    return this.failure;
  }

  push(chunk: Uint8Array): DecodeResult {
    if (this.failure) return { frames: [], error: this.failure };
    const frames: Buffer[] = [];
    if (chunk.length > 0) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
        if (length === 0) return this.fail(frames, 'FRAME_EMPTY', 'a frame declared an empty body');
        if (length > this.maxFrameBytes) {
          return this.fail(frames, 'FRAME_TOO_LARGE', `a frame declared ${length} bytes, more than the limit of ${this.maxFrameBytes}`);
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = undefined;
    }
    return { frames };
  }

  private fail(frames: Buffer[], code: FrameErrorCode, message: string): DecodeResult {
    this.failure = { code, message };
    this.chunks = [];
    this.buffered = 0;
    this.expected = undefined;
    return { frames, error: this.failure };
  }

  /** Removes exactly `n` buffered bytes (the caller checked they are there). */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const used = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    return out;
  }
}
