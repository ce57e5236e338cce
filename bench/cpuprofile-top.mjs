// Where a node --cpu-prof profile spends its time, as text: self time by function and by file,
// and inclusive time by function (a function's own time plus everything it called). Several
// profiles (e.g. the three sentinels of one run) are added together.
//
//   node bench/cpuprofile-top.mjs PROFILE.cpuprofile... [--top 25] [--skip-ms 10000]
//
// --skip-ms leaves out the first milliseconds of each profile (start-up), so that what is shown
// is steady state.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv.splice(i, 2)[1] : fallback;
};
const top = Number(opt('top', '25'));
const skipMs = Number(opt('skip-ms', '0'));
const files = argv;
if (!files.length) {
  process.stderr.write('usage: node bench/cpuprofile-top.mjs PROFILE.cpuprofile... [--top 25] [--skip-ms 10000]\n');
  process.exit(2);
}

const selfByFn = new Map();
const selfByFile = new Map();
const inclByFn = new Map();
let total = 0;

const short = (url) => {
  if (!url) return '(native)';
  const p = url.replace(/^file:\/\//, '');
  const i = p.indexOf('/dist/');
  if (i >= 0) return p.slice(i + 1);
  const j = p.indexOf('node_modules/');
  return j >= 0 ? p.slice(j) : path.basename(p);
};
const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);

for (const file of files) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  let t = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if (t < skipMs) continue;
    const n = byId.get(prof.samples[i]);
    if (!n || n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)') continue;
    total += dt;
    add(selfByFn, label(n), dt);
    add(selfByFile, short(n.callFrame.url), dt);
    // Inclusive: once per distinct function on the stack.
    const seen = new Set();
    for (let id = n.id; id !== undefined; id = parent.get(id)) {
      const k = label(byId.get(id));
      if (seen.has(k) || byId.get(id).callFrame.functionName === '(root)') continue;
      seen.add(k);
      add(inclByFn, k, dt);
    }
  }
}

const show = (title, m) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${v.toFixed(0).padStart(8)} ms ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}\n`);
  }
};
process.stdout.write(
  `busy (not idle, not "(program)") ${total.toFixed(0)} ms over ${files.length} profile(s)${skipMs ? `, first ${skipMs} ms of each left out` : ''}\n`,
);
show('self time by file', selfByFile);
show('self time by function', selfByFn);
show('inclusive time by function', inclByFn);
