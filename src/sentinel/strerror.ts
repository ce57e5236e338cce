/** strerror() texts for the codes a path can fail with, as Redis prints them in its messages. */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
};

export function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return STRERROR[code] ?? (code || String(err));
}
