/**
 * The bundled sentinel's image, built from a rendered folder's sentinel-image/ by the compose and
 * the single-node swarm runtimes alike. The tag is shared by every folder, and a stale image would
 * run an old sentinel, so it is built when missing, when asked, and when it is not the image this
 * folder's build context produced last time: run/sentinel-image.json records a hash of
 * sentinel-image/ and the image id.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tryRun } from './compose/exec.js';
import { ensureRunDir, runDir } from './state.js';

export interface SentinelImageBuild {
  image: string;
  outDir: string;
  /** The build context (the folder's sentinel-image/). */
  contextDir: string;
  /** --build: build even when the image is current. */
  force: boolean;
  progress: (message: string) => void;
  /** Builds and tags `image` from `contextDir` (compose build, or docker build). */
  build: () => Promise<void>;
}

export async function ensureSentinelImage(b: SentinelImageBuild): Promise<void> {
  const hash = hashDir(b.contextDir);
  const recordFile = path.join(runDir(b.outDir), 'sentinel-image.json');
  const imageId = async () => {
    const r = await tryRun('docker', ['image', 'inspect', '--format', '{{.Id}}', b.image]);
    return r.ok ? r.out.stdout.trim() : null;
  };
  let record: { hash?: string; imageId?: string } = {};
  try {
    record = JSON.parse(readFileSync(recordFile, 'utf8')) as typeof record;
  } catch {
    /* never built from this folder */
  }
  const current = await imageId();
  const why = b.force
    ? '--build'
    : !current
      ? 'not built yet'
      : record.hash !== hash || record.imageId !== current
        ? 'its build context changed since it was built'
        : null;
  if (!why) return;
  b.progress(`building the bundled sentinel image ${b.image} (${why})`);
  await b.build();
  ensureRunDir(b.outDir);
  writeFileSync(recordFile, JSON.stringify({ hash, imageId: await imageId() }, null, 2) + '\n');
}

function hashDir(dir: string): string {
  const h = createHash('sha256');
  let names: string[] = [];
  try {
    names = readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).sort();
  } catch {
    return '';
  }
  for (const name of names) {
    try {
      h.update(name)
        .update('\0')
        .update(readFileSync(path.join(dir, name)))
        .update('\0');
    } catch {
      /* a directory */
    }
  }
  return h.digest('hex');
}
