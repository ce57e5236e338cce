/**
 * A RESP value as the sentinel builds and reads it. One tagged union for RESP2 and RESP3: the
 * encoder turns RESP3-only shapes into their RESP2 form for RESP2 clients (map -> flat array,
 * null -> $-1 or *-1, bool -> integer, double -> bulk string), the way Redis does.
 */
export type Reply =
  | { type: 'simple'; value: string }
  | { type: 'error'; value: string } // full text, e.g. "ERR unknown command" or "NOGOODSLAVE No suitable replica..."
  | { type: 'integer'; value: number }
  | { type: 'bulk'; value: Buffer | string }
  | { type: 'array'; value: Reply[] }
  | { type: 'map'; value: Array<[Reply, Reply]> }
  | { type: 'set'; value: Reply[] }
  | { type: 'push'; value: Reply[] } // RESP3 out-of-band (pub/sub); a plain array in RESP2
  | { type: 'null'; kind: 'bulk' | 'array' } // RESP2 needs to know which null to send
  | { type: 'double'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'verbatim'; format: string; value: string };

export type ProtocolVersion = 2 | 3;

/** Small constructors so that command code reads like the reply it builds. */
export const R = {
  ok: (): Reply => ({ type: 'simple', value: 'OK' }),
  simple: (value: string): Reply => ({ type: 'simple', value }),
  error: (value: string): Reply => ({ type: 'error', value }),
  int: (value: number): Reply => ({ type: 'integer', value }),
  bulk: (value: Buffer | string): Reply => ({ type: 'bulk', value }),
  nullBulk: (): Reply => ({ type: 'null', kind: 'bulk' }),
  nullArray: (): Reply => ({ type: 'null', kind: 'array' }),
  array: (value: Reply[]): Reply => ({ type: 'array', value }),
  bulks: (values: Array<string | Buffer>): Reply => ({ type: 'array', value: values.map((v) => ({ type: 'bulk', value: v })) }),
  /** Field-value pairs: a map in RESP3, a flat array in RESP2 (SENTINEL MASTER, HELLO, ...). */
  map: (pairs: Array<[string, Reply]>): Reply => ({ type: 'map', value: pairs.map(([k, v]) => [{ type: 'bulk', value: k }, v]) }),
  push: (value: Reply[]): Reply => ({ type: 'push', value }),
  double: (value: number): Reply => ({ type: 'double', value }),
  bool: (value: boolean): Reply => ({ type: 'bool', value }),
  verbatim: (value: string, format = 'txt'): Reply => ({ type: 'verbatim', format, value }),
};
