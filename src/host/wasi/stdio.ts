/** fds 0-2: stdin from a buffer or the host; stdout and stderr buffered, to a callback, or to the host. */
import { FsError } from './backend.js';
import { blockFor } from './clock.js';
import { errnoFromNode, type NodeFsLike } from './hostfs.js';
import { concat, utf8 } from './memory.js';
import type { StdinOption, StdoutOption } from './options.js';

export type StdStream = 0 | 1 | 2;

export class Stdio {
  private readonly out: Uint8Array[][] = [[], [], []];
  private readonly sinks: (StdoutOption | null)[];
  private stdinBuf: Uint8Array | null = null;
  private stdinPos = 0;
  /** stdin is the host's fd 0. */
  readonly stdinInherit: boolean;
  constructor(
    stdin: StdinOption,
    stdout: StdoutOption,
    stderr: StdoutOption,
    private readonly nodeFs: NodeFsLike | null,
  ) {
    this.stdinInherit = stdin === 'inherit';
    if (!this.stdinInherit) this.stdinBuf = typeof stdin === 'string' ? utf8.encode(stdin) : (stdin as Uint8Array);
    this.sinks = [null, stdout, stderr];
  }

  /** The bytes written to a buffered stream. */
  output(stream: 1 | 2): Uint8Array {
    return concat(this.out[stream]!);
  }

  /** What poll_oneoff reports for stdin: bytes ready, and hangup once a buffer is exhausted. */
  pollStdin(): { nbytes: bigint; hangup: boolean } {
    if (this.stdinInherit) return { nbytes: 1n, hangup: false };
    const nbytes = BigInt(this.stdinBuf!.length - this.stdinPos);
    return { nbytes, hangup: nbytes === 0n };
  }

  read(dst: Uint8Array): number {
    if (!this.stdinInherit) {
      const src = this.stdinBuf!;
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
