/**
 * What a file-system error code means, in words: "cannot read the config file /x: EISDIR" tells a
 * newcomer nothing. The code stays in the sentence for whoever searches for it.
 */
const REASONS: Record<string, string> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'it, or a directory on its path, is a file',
  EISDIR: 'it is a directory, not a file',
  EEXIST: 'a file of that name is in the way',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'its symbolic links loop',
  ENAMETOOLONG: 'the path is too long',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many files are open',
};

/** `it is a directory, not a file (EISDIR)` from a thrown file-system error. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (!code) return 'an unexpected error';
  const words = REASONS[code];
  return words ? `${words} (${code})` : code;
}
