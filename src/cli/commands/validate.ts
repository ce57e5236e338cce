import { loadSpec, specOption } from '../options.js';
import { defineCommand } from '../registry.js';

export const validateCommand = defineCommand({
  name: 'validate',
  describe: 'Check a spec: every problem at once, with the field, the value and the fix',
  options: { ...specOption },
  examples: [
    ['$0 validate', 'check ./sentinel-compose.yaml'],
    ['$0 validate --spec examples/seed-bridge.yaml --json', 'machine-readable result'],
  ],
  epilogue: 'Exit codes: 0 valid (warnings are printed but allowed), 2 invalid.',
  async run(args, ctx) {
    const loaded = await loadSpec(args.spec, ctx);
    const { summarise } = await import('../../render/compose.js');
    const t = loaded.topology;
    const summary = `${summarise(t)}; ${t.network} networking; sentinels: ${t.sentinel.implementation}`;
    ctx.result(
      { ok: true, spec: loaded.file, summary, warnings: loaded.warnings, topology: t },
      `${ctx.out.color.green('valid')}: ${args.spec}: ${summary}${loaded.warnings.length ? ` (${loaded.warnings.length} warning${loaded.warnings.length === 1 ? '' : 's'})` : ''}`,
    );
  },
});
