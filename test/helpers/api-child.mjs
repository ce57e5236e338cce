// A program using the library as an application would, through the package's own name (the
// built dist/): the API tests run it as a child process, to interrupt it, or to open from it a
// topology that another process started.
//   node api-child.mjs start [--own-handler SIGNAL]   start (local runtime), print {"dir"}, wait
//   node api-child.mjs start-logged                     start with a logger on stderr (to be interrupted while starting)
//   node api-child.mjs exit                             start, pause a replica, process.exit(0) without stop()
//   node api-child.mjs open DIR OP SERVICE              openTopology(DIR), OP(SERVICE), print the result
import { existsSync } from 'node:fs';
import { openTopology, startTopology } from 'sentinel-compose';

const [cmd, ...rest] = process.argv.slice(2);
const fast = { version: 1, ports: 'auto', sentinels: { 'down-after-milliseconds': 1000 }, redis: { persistence: 'none' } };

if (cmd === 'start') {
  const own = rest[0] === '--own-handler' ? rest[1] : undefined;
  const t = await startTopology({ runtime: 'local', spec: fast });
  if (own) {
    process.on(own, () => {
      process.stdout.write('own handler ran\n');
      // The library stops the topology; the application decides when to exit.
      const poll = setInterval(() => {
        if (!existsSync(t.dir)) {
          clearInterval(poll);
          process.stdout.write('topology gone\n');
          process.exit(7);
        }
      }, 50);
    });
  }
  process.stdout.write(`${JSON.stringify({ dir: t.dir })}\n`);
  setInterval(() => {}, 1 << 30);
} else if (cmd === 'start-logged') {
  const line = (l) => process.stderr.write(`${l}\n`);
  await startTopology({ runtime: 'local', spec: fast, logger: { info: line, warn: line } });
  process.stdout.write('started\n');
  setInterval(() => {}, 1 << 30);
} else if (cmd === 'exit') {
  const t = await startTopology({ runtime: 'local', spec: fast });
  // A paused process cannot act on a signal: the exit handler must resume it to end it.
  await t.pause('redis-replica-1');
  process.stdout.write(`${JSON.stringify({ dir: t.dir })}\n`);
  process.exit(0);
} else if (cmd === 'open') {
  const [dir, op, service] = rest;
  const t = await openTopology(dir);
  const result = await t[op](service);
  process.stdout.write(`${JSON.stringify({ services: t.services, result })}\n`);
} else {
  process.stderr.write(`unknown command ${cmd}\n`);
  process.exit(2);
}
