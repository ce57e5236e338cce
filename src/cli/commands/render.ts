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
  ],
  epilogue:
    'Rendering writes to a temporary folder beside --out and swaps it in: never a half-written folder. data/ and run/ in --out belong to the runtime and are kept. Same spec, same bytes.\nExit codes: 0 done, 1 --check found differences, 2 bad spec or arguments.',
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
    const files = render.renderFiles(loaded.topology, loaded.secrets, {
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
    const t = loaded.topology;
    ctx.result(
      { ok: true, outDir: w.outDir, files: w.written, removed: w.removed, forced: w.forced, warnings: loaded.warnings },
      [
        `${ctx.out.color.green('rendered')} ${files.length} files to ${args.out}: ${render.summarise(t)}; ${t.network} networking`,
        ...extra,
        `next: cd ${args.out} && docker compose up -d   (or: sentinel-compose up)`,
      ].join('\n'),
    );
  },
});
