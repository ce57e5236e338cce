/** Argument parsing with Redis's rules and error texts. */

const LL_MIN = -(2n ** 63n);
const LL_MAX = 2n ** 63n - 1n;

/** Redis's string2ll: optional '-', no '+', no leading zeros, no spaces, within 64 bits. */
export function parseLongLong(s: string): number | null {
  if (!/^(0|-?[1-9]\d*)$/.test(s)) return null;
  const b = BigInt(s);
  if (b < LL_MIN || b > LL_MAX) return null;
  return Number(b);
}

export const NOT_AN_INTEGER = 'ERR value is not an integer or out of range';

/** Redis's yesnotoi: 1 for yes, 0 for no (case-insensitive), -1 otherwise. */
export function yesNo(s: string): boolean | null {
  const l = s.toLowerCase();
  if (l === 'yes') return true;
  if (l === 'no') return false;
  return null;
}
