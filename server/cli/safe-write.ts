/**
 * Writing export files safely: owner-only (0600), and never through a symbolic link already at the
 * path (a link planted in a shared export folder could make us overwrite any file we can write).
 * O_NOFOLLOW makes the open fail with ELOOP on a symlink instead of following it.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs'

/** Open `path` for writing, created 0600 or truncated; throws on a symlink. Returns the descriptor. */
export function openNoFollow(path: string): number {
  try {
    return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new Error(`${path} is a symbolic link; refusing to write through it`)
    throw error
  }
}

/** Write all of `bytes` to `path` with `openNoFollow`. */
export function writeFileNoFollow(path: string, bytes: Uint8Array): void {
  const fd = openNoFollow(path)
  try {
    let written = 0
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
  } finally {
    closeSync(fd)
  }
}
