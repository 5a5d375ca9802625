/*
 * Streams the data fragments of one C-STORE straight to a temporary file, so the receiver never
 * holds an instance in memory (ANCHORS.md, DICOM: dcmjs-dimse's default buffers it whole). Writes
 * respect the file stream's backpressure; the caller pauses the socket while a write waits.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { NET_STATUS } from './dimse.js';

/** Why an instance could not be kept: the status and comment to answer the sender with. */
export interface SinkFailure {
  readonly status: number;
  readonly comment: string;
}

/** One temporary file being filled; after a failure further bytes are counted and dropped. */
export class InstanceSink {
  readonly path: string;
  private readonly stream: WriteStream;
  private written = 0;
  private failed: SinkFailure | undefined;
  private removed = false;

  /** Opens `<tmpDir>/rx-<uuid>.part` (mode 0600, must not exist). */
  constructor(
    tmpDir: string,
    private readonly maxBytes: number,
  ) {
    this.path = join(tmpDir, `rx-${randomUUID()}.part`);
    this.stream = createWriteStream(this.path, { flags: 'wx', mode: 0o600 });
    this.stream.on('error', () => {
      this.fail({ status: NET_STATUS.outOfResources, comment: 'cannot write the received data' });
    });
  }

  /** Bytes received so far, kept or not. */
  get bytes(): number {
    return this.written;
  }

  get failure(): SinkFailure | undefined {
    return this.failed;
  }

  /** Appends one fragment; resolves once the file stream can take more. */
  async write(value: Buffer): Promise<void> {
    this.written += value.length;
    if (this.failed !== undefined) return;
    if (this.written > this.maxBytes) {
      this.fail({
        status: NET_STATUS.outOfResources,
        comment: `instance larger than the ${this.maxBytes} bytes accepted`,
      });
      return;
    }
    if (!this.stream.write(value)) await drained(this.stream);
  }

  /**
   * Closes the file. Returns its path when every byte is on disk; undefined after a failure, in
   * which case the file is already removed and `failure` says why.
   */
  async finish(): Promise<string | undefined> {
    if (this.failed === undefined) {
      this.stream.end();
      try {
        await finished(this.stream);
      } catch {
        this.fail({ status: NET_STATUS.outOfResources, comment: 'cannot write the received data' });
      }
    }
    if (this.failed !== undefined) {
      await this.remove();
      return undefined;
    }
    return this.path;
  }

  /** Drops the file (association ended mid-instance). */
  async discard(): Promise<void> {
    this.fail({ status: NET_STATUS.outOfResources, comment: 'association ended' });
    await this.remove();
  }

  private fail(f: SinkFailure): void {
    this.failed ??= f;
    if (!this.stream.destroyed) this.stream.destroy();
  }

  private async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    if (!this.stream.closed) await finished(this.stream).catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

/** Resolves on 'drain', or on 'close' should the stream fail while the writer waits. */
function drained(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
