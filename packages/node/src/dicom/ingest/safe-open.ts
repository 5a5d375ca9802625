import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { TesseraError } from '@tessera/protocol';

/**
 * Opens a regular file for reading without following a symbolic link (O_NOFOLLOW) and without
 * blocking on a FIFO (O_NONBLOCK), then checks what was opened: a folder walked for an import
 * may change between the listing and the read, and nothing in it may lead the node elsewhere.
 * @throws TesseraError BAD_REQUEST for a link or anything but a regular file; fs errors as they come.
 */
export async function openRegular(file: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP')
      throw new TesseraError('BAD_REQUEST', 'a symbolic link, not followed');
    throw e;
  }
  const info = await fh.stat().catch(async (e: unknown) => {
    await fh.close();
    throw e;
  });
  if (!info.isFile()) {
    await fh.close();
    throw new TesseraError('BAD_REQUEST', 'not a regular file');
  }
  return fh;
}

/**
 * openRegular for a worker thread, where a plain system call costs less than a thread-pool round
 * trip: the same checks, the same errors; returns the descriptor and the file's size.
 * @throws TesseraError BAD_REQUEST for a link or anything but a regular file; fs errors as they come.
 */
export function openRegularSync(file: string): { readonly fd: number; readonly size: number } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP')
      throw new TesseraError('BAD_REQUEST', 'a symbolic link, not followed');
    throw e;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new TesseraError('BAD_REQUEST', 'not a regular file');
    return { fd, size: info.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
