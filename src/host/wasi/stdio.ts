/** fds 0-2: stdin from a buffer, a stream or the host; stdout and stderr buffered, to a callback, or to the host. */
import { FsError } from './backend.js';
import { blockFor } from './clock.js';
import { errnoFromNode, type NodeFsLike } from './hostfs.js';
import { concatBytes } from '../../core/bytes.js';
import { utf8 } from './memory.js';
import type { StdinOption, StdoutOption } from './options.js';

export type StdStream = 0 | 1 | 2;

export class Stdio {
  private readonly out: Uint8Array[][] = [[], [], []];
  private readonly sinks: (StdoutOption | null)[];
  /** The buffered stdin bytes (all of them, or a stream's current chunk) and how far they are read. */
  private stdinBuf: Uint8Array = new Uint8Array(0);
  private stdinPos = 0;
  /** stdin is the host's fd 0. */
  readonly stdinInherit: boolean;
  /** A stream stdin, its iterator once reading started, and whether it has ended (or failed). */
  private readonly source: AsyncIterable<unknown> | null = null;
  private chunks: AsyncIterator<unknown> | null = null;
  private ended = false;
  constructor(
    stdin: StdinOption,
    stdout: StdoutOption,
    stderr: StdoutOption,
    private readonly nodeFs: NodeFsLike | null,
  ) {
    this.stdinInherit = stdin === 'inherit';
    if (typeof stdin === 'string') {
      if (!this.stdinInherit) this.stdinBuf = utf8.encode(stdin);
    } else if (stdin instanceof Uint8Array) this.stdinBuf = stdin;
    else if (typeof (stdin as Partial<AsyncIterable<unknown>> | null)?.[Symbol.asyncIterator] === 'function') this.source = stdin;
    else throw new TypeError("options.stdin must be a string, a Uint8Array, 'inherit' or an async iterable of chunks (e.g. a Node Readable)");
    this.sinks = [null, stdout, stderr];
  }

  /** A read of stdin must wait for the stream: nothing is buffered and the stream has not ended. */
  get mustWait(): boolean {
    return this.source !== null && !this.ended && this.stdinPos >= this.stdinBuf.length;
  }
  /**
   * Waits for the stream's next non-empty chunk (then buffered) or its end. A chunk that is neither
   * bytes nor a string is a TypeError; after any failure the stream counts as ended (reads get EOF).
   */
  async pull(): Promise<void> {
    try {
      this.chunks ??= this.source![Symbol.asyncIterator]();
      for (;;) {
        const r = await this.chunks.next();
        if (r.done) {
          this.ended = true;
          return;
        }
        const c = r.value;
        const bytes = typeof c === 'string' ? utf8.encode(c) : c instanceof Uint8Array ? c : null;
        if (!bytes) throw new TypeError(`the stdin stream gave a ${c === null ? 'null' : typeof c}: chunks must be Uint8Array or string`);
        if (bytes.length > 0) {
          this.stdinBuf = bytes;
          this.stdinPos = 0;
          return;
        }
      }
    } catch (e) {
      this.ended = true;
      throw e;
    }
  }

  /** The bytes written to a buffered stream. */
  output(stream: 1 | 2): Uint8Array {
    return concatBytes(this.out[stream]!);
  }

  /**
   * What poll_oneoff reports for stdin: bytes buffered, and hangup once a buffer (or an ended
   * stream) is exhausted. An inherited stdin is always ready (1 byte).
   */
  pollStdin(): { nbytes: bigint; hangup: boolean } {
    if (this.stdinInherit) return { nbytes: 1n, hangup: false };
    const nbytes = BigInt(this.stdinBuf.length - this.stdinPos);
    return { nbytes, hangup: nbytes === 0n && (this.source === null || this.ended) };
  }

  read(dst: Uint8Array): number {
    if (!this.stdinInherit) {
      const src = this.stdinBuf;
      const n = Math.min(dst.length, src.length - this.stdinPos);
      dst.set(src.subarray(this.stdinPos, this.stdinPos + n));
      this.stdinPos += n;
      return n;
    }
    for (;;) {
      try {
        return this.nodeFs!.readSync(0, dst, 0, dst.length, null);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EAGAIN') {
          blockFor(1);
          continue;
        }
        if (code === 'EOF') return 0;
        throw new FsError(errnoFromNode(e));
      }
    }
  }

  write(stream: StdStream, data: Uint8Array): void {
    const sink = this.sinks[stream]!;
    if (sink === 'buffer') this.out[stream]!.push(data.slice());
    else if (sink === 'inherit') {
      let off = 0;
      while (off < data.length) {
        try {
          off += this.nodeFs!.writeSync(stream, data, off, data.length - off);
        } catch (e) {
          if ((e as { code?: string }).code === 'EAGAIN') {
            blockFor(1);
            continue;
          }
          throw new FsError(errnoFromNode(e));
        }
      }
    } else if (typeof sink === 'function') sink(data.slice());
  }
}
