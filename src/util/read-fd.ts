// Reading a file through a descriptor already opened and checked (O_NOFOLLOW, fstat): the
// checks and the read are of the same file, with no path looked up again in between.
import { readSync } from 'node:fs';

/** The first `size` bytes of an open file as UTF-8 (fewer when it ends sooner). */
export function readOpenFile(fd: number, size: number): string {
  const buffer = Buffer.alloc(size);
  let read = 0;
  while (read < size) {
    const n = readSync(fd, buffer, read, size - read, read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read).toString('utf8');
}
