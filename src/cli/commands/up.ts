import { InterruptedError, TimeoutError } from '../../common/errors.js';
import type { Lock } from '../../runtime/lock.js';
import { catchInterrupts } from '../interrupt.js';
import { outOption, specOption, specSource } from '../options.js';
import { defineCommand } from '../registry.js';
import { outDirOf, runtimeOption } from './runtime-shared.js';

export const upCommand = defineCommand({
  name: 'up',
  describe: 'Start the rendered topology (Docker Compose or local processes) and wait until it is healthy',
  options: {
    ...specOption,
    ...outOption,
    ...runtimeOption,
    build: { type: 'boolean', default: false, describe: 'Rebuild the bundled sentinel image even if it exists (docker)' },
    wait: {
      type: 'boolean',
      default: true,
      describe: 'Wait until every replica is online and every sentinel sees everything (--no-wait: return once started)',
    },
    timeout: {
      type: 'number',
      default: 90,
      describe: 'Seconds to wait for health',
      requiresArg: true,
      range: { min: 0, minExclusive: true, max: 86_400, unit: 'seconds', example: 90 },
    },
  },
  examples: [
    ['$0 up', 'render ./sentinel-compose.yaml into ./out if not done yet, start it, wait until healthy'],
    ['$0 up --runtime local', 'run as local redis-server / sentinel processes even when Docker is there'],
    ['$0 up --out deploy/redis --runtime docker --build', 'under Docker Compose, rebuilding the sentinel image'],
  ],
  epilogue:
    'up runs what is in --out. It renders the spec into --out first when --out has not been rendered yet, and again when the spec changed since, unless --out is up or has files changed by hand (then it runs --out as it is and says why: `sentinel-compose render` replaces them).\n' +
    'The runtime is remembered in --out/run/state.json, so status, logs and down need no --runtime.\n' +
    'Interrupted while starting (Ctrl-C, kill, a closed terminal), it stops what it had started; while waiting for health, it leaves the topology running. Only one up, down or drill runs on a folder at a time.\n' +
    "Exit codes: 0 healthy, 1 not healthy within --timeout (it keeps running: see status and logs), 2 bad input, a missing dependency or the folder in use, 128 + the signal's number when interrupted.",
  async run(args, ctx) {
    const outDir = outDirOf(args, ctx);
    const { bringUp } = await import('../../runtime/bring-up/index.js');
    let waiting = false;
    const interrupts = catchInterrupts({
      onStop: (sig) => ctx.out.info(waiting ? `${sig}: no longer waiting` : `${sig}: stopping what this up started`),
    });
    const { signal } = interrupts;
    let lock: Lock | undefined;
    try {
      const up = await bringUp({
        outDir,
        outLabel: args.out,
        spec: await specSource(args.spec, ctx),
        runtime: args.runtime ?? 'auto',
        command: 'up',
        build: args.build,
        signal,
        logger: { info: (l) => ctx.out.info(l), warn: (l) => ctx.out.warn(l) },
      });
      lock = up.lock;
      const { runtime, dir } = up;
      const t = dir.topology;

      const { waitHealthy } = await import('../../runtime/control/observe.js');
      const { connectionHelp } = await import('../../runtime/connection-help.js');
      const services = await runtime.ps();
      if (!args.wait) {
        ctx.result(
          { ok: true, project: t.project, runtime: runtime.kind, outDir, healthy: null, services },
          `${ctx.out.color.green('started')} ${t.project} (${runtime.kind}); not waiting for health (--no-wait)`,
        );
        return;
      }
      ctx.out.info(`waiting until healthy (up to ${args.timeout} s)...`);
      waiting = true;
      const started = Date.now();
      const stillRunning = `It keeps running: \`sentinel-compose status --out ${args.out}\` and \`sentinel-compose logs --out ${args.out}\` show how it is; \`sentinel-compose down --out ${args.out}\` stops it.`;
      try {
        // A node paused on purpose (`sentinel-compose pause`) stays paused: healthy apart from it.
        await waitHealthy(runtime, dir.secrets, {
          except: up.held,
          timeoutMs: args.timeout * 1000,
          signal,
          onProgress: (missing) =>
            ctx.out.info(
              `  ${Math.round((Date.now() - started) / 1000)} s, waiting for: ${missing.slice(0, 3).join('; ')}${missing.length > 3 ? `; and ${missing.length - 3} more` : ''}`,
            ),
        });
      } catch (err) {
        if (err instanceof TimeoutError) throw new TimeoutError(`${err.message}\n${stillRunning}`, [], { cause: err });
        if (err instanceof InterruptedError) throw new InterruptedError(err.signal, `${err.message}. ${stillRunning}`, { cause: err });
        throw err;
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const help = connectionHelp(t, runtime);
      ctx.result(
        {
          ok: true,
          project: t.project,
          runtime: runtime.kind,
          outDir,
          healthy: true,
          secondsToHealthy: Number(seconds),
          pausedOnPurpose: up.held,
          sentinels: t.sentinels.map((s) => ({ service: s.service, ...runtime.endpoint(s.service) })),
          masters: t.masters.map((m) => m.name),
          services,
        },
        [
          `${ctx.out.color.green('healthy')}: ${t.project} on ${runtime.kind} (${seconds} s)${up.held.length ? `, apart from ${up.held.join(', ')} (paused by \`sentinel-compose pause\`)` : ''}`,
          ...help,
        ].join('\n'),
      );
    } finally {
      lock?.release();
      interrupts.dispose();
    }
  },
});
