/**
 * Field paths as errors show them: `masters[0].quorum`. A key that is not a plain word (empty,
 * spaces, dots, quotes) is quoted, so that the path still says which key is meant.
 */
export function childPath(parent: string, key: string): string {
  const k = /^[A-Za-z0-9_$-]+$/.test(key) ? key : JSON.stringify(key);
  return parent ? `${parent}.${k}` : k;
}
