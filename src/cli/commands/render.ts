import { CheckFailedError, UsageError } from '../../common/errors.js';
import { loadSpec, outOption, specOption } from '../options.js';
import { defineCommand } from '../registry.js';

export const renderCommand = defineCommand({
  name: 'render',
  describe: 'Write compose.yaml, redis.conf/sentinel.conf per node, .env, topology.json and a README',
  options: {
    ...specOption,
    ...outOption,
    check: {
      type: 'boolean',
      default: false,
      describe: 'Compare with --out instead of writing; exit 1 and list the files that differ',
    },
    force: {
      type: 'boolean',
      default: false,
      describe: 'Delete files in --out that sentinel-compose did not write (data/ and run/ are always kept)',
    },
    target: {
      choices: ['compose', 'swarm'] as const,
      default: 'compose' as const,
      describe:
        "What the next step deploys with: Docker Compose, or Docker Swarm (`docker stack deploy`; needs the spec's swarm section). A spec with a swarm section always renders both.",
      requiresArg: true,
    },
    'sentinel-bundle': {
      type: 'string',
      describe:
        'The bundled sentinel program to copy into sentinel-image/: a file, or "placeholder" for committed fixtures (default: this package\'s dist/sentinel.bundle.mjs)',
      requiresArg: true,
    },
  },
  examples: [
    ['$0 render', 'render ./sentinel-compose.yaml into ./out'],
    ['$0 render --spec prod.yaml --out deploy/redis', 'another spec and folder'],
    ['$0 render --check', 'CI: fail if ./out is not what the spec renders to'],
    ['$0 render --target swarm --out deploy', "stack.yaml for `docker stack deploy` across the spec's swarm nodes"],
  ],
  epilogue:
    'Rendering writes to a temporary folder beside --out and swaps it in: never a half-written folder. data/ and run/ in --out belong to the runtime and are kept. Same spec, same bytes.\n' +
    'With ports: auto, render keeps the ports `up` chose for --out (recorded in its topology.json); a folder no up has run from gets the default ranges. `up` chooses free ports and renders them in.\nExit codes: 0 done, 1 --check found differences, 2 bad spec or arguments.',
  async run(args, ctx) {
    const loaded = await loadSpec(args.spec, ctx);
    const render = await import('../../render/index.js');
    const path = await import('node:path');
    const bundleArg = args['sentinel-bundle'];
    const outDir = path.resolve(ctx.cwd, args.out);
    const rel = path.relative(outDir, loaded.file);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) {
      // Render replaces --out as a whole: the spec (and its .env) must live outside it.
      throw new UsageError([
        {
          path: '--out',
          value: args.out,
          message: `contains the spec ${args.spec}, and render replaces everything in it`,
          fix: 'render into a folder of its own, e.g. --out out',
        },
      ]);
    }
    // ports: auto: the ports an `up` chose for this folder stay (render is the same bytes for the
    // same spec and folder); a folder no up has chosen ports for gets the default ranges.
    const { recordedPorts } = await import('../../runtime/bring-up/ports.js');
    const { resolveTopology } = await import('../../topology/resolve.js');
    if (args.target === 'swarm' && !loaded.topology.swarm) {
      throw new UsageError([
        {
          path: 'swarm',
          message: `is missing from ${args.spec}, and --target swarm needs it to know the nodes`,
          fix: 'add a swarm section listing the swarm nodes, e.g. `swarm: { nodes: [{ name: node-1, address: 10.0.0.11 }] }` (names as `docker node ls` shows them), or leave out --target swarm',
        },
      ]);
    }
    const kept = loaded.topology.ports ? recordedPorts(outDir) : new Map<string, number>();
    const topology = kept.size ? resolveTopology(loaded.spec, kept) : loaded.topology;
    const files = render.renderFiles(topology, loaded.secrets, {
      specName: path.basename(loaded.file),
      sentinelBundle:
        bundleArg === 'placeholder' ? { placeholder: true } : { file: bundleArg ? path.resolve(ctx.cwd, bundleArg) : render.defaultSentinelBundle() },
    });
    if (args.check) {
      const r = render.checkOutput(outDir, files);
      const differences = [...r.changed.map((f) => `changed: ${f}`), ...r.missing.map((f) => `missing: ${f}`), ...r.extra.map((f) => `not rendered: ${f}`)];
      if (differences.length) {
        throw Object.assign(
          new CheckFailedError(
            `${args.out} differs from what ${args.spec} renders to (${differences.length} file${differences.length === 1 ? '' : 's'}):\n${differences.map((d) => `  ${d}`).join('\n')}\nRun \`sentinel-compose render --spec ${args.spec} --out ${args.out}\` to update it.`,
          ),
          { details: { outDir: r.outDir, changed: r.changed, missing: r.missing, extra: r.extra } },
        );
      }
      ctx.result(
        { ok: true, outDir: r.outDir, changed: [], missing: [], extra: [] },
        `${ctx.out.color.green('up to date')}: ${args.out} (${files.length} files)`,
      );
      return;
    }
    const w = render.writeOutput(outDir, files, { force: args.force });
    const list = (files: string[]) => files.slice(0, 5).join(', ') + (files.length > 5 ? `, and ${files.length - 5} more` : '');
    const extra = [
      w.removed.length ? `removed ${w.removed.length} file(s) an earlier render wrote and this one does not: ${list(w.removed)}` : '',
      w.forced.length ? `deleted ${w.forced.length} file(s) render did not write (--force): ${list(w.forced)}` : '',
    ].filter(Boolean);
    const t = topology;
    const auto = t.ports
      ? ` (ports: auto: ${kept.size ? 'the ports the last up chose' : 'the default ports until `sentinel-compose up` chooses free ones'})`
      : '';
    ctx.result(
      { ok: true, outDir: w.outDir, files: w.written, removed: w.removed, forced: w.forced, warnings: loaded.warnings },
      [
        `${ctx.out.color.green('rendered')} ${files.length} files to ${args.out}: ${render.summarise(t)}; ${args.target === 'swarm' && t.swarm ? `a swarm stack over ${new Set(Object.values(t.swarm.placement)).size} node(s)` : `${t.network} networking`}`,
        ...extra,
        ...(args.target === 'swarm'
          ? [`next: cd ${args.out} && docker stack deploy -c stack.yaml ${t.project}   (on a swarm manager; or: sentinel-compose up --runtime swarm)`]
          : [`next: cd ${args.out} && docker compose up -d   (or: sentinel-compose up)${auto}`]),
      ].join('\n'),
    );
  },
});
