/** After the run: every acknowledged write must be on the final master. The key is removed afterwards. */
import { compareWrites, type RawSample } from '../load.js';
import { soleMaster, type Observer } from '../../runtime/observe/index.js';
import type { Observation, WriteCheck } from '../types.js';

export async function checkWrites(observer: Observer, obs: Observation | null, key: string, samples: readonly RawSample[]): Promise<WriteCheck> {
  const master = obs ? soleMaster(obs) : null;
  if (!master) return { key, checkedOn: null, lost: [], appliedDespiteError: [], duplicates: [], error: 'no single master to check the writes on' };
  try {
    const stored = await observer.nodeCommand(master, 'LRANGE', key, '0', '-1');
    if (!Array.isArray(stored)) throw new Error(`LRANGE returned ${JSON.stringify(stored)}`);
    const cmp = compareWrites(samples, stored.map(String));
    await observer.nodeCommand(master, 'DEL', key).catch(() => undefined);
    return { key, checkedOn: master, ...cmp };
  } catch (err) {
    return { key, checkedOn: master, lost: [], appliedDespiteError: [], duplicates: [], error: err instanceof Error ? err.message : String(err) };
  }
}
