import { MissingDependencyError } from '../../common/errors.js';
import { defineCommand } from '../registry.js';

export const sentinelCommand = defineCommand<Record<string, never>, { file: string; args: string[] }>({
  name: 'sentinel',
  positionalSyntax: '<file> [args..]',
  positionals: {
    file: { type: 'string', describe: 'sentinel.conf (read and rewritten, like redis-sentinel)' },
    args: { type: 'string', array: true, describe: 'Further redis-sentinel style arguments' },
  },
  describe: 'Run the bundled TypeScript Sentinel (a drop-in for redis-sentinel) on a sentinel.conf',
  options: {},
  passthrough: true,
  examples: [
    ['$0 sentinel ./sentinel.conf', 'run a sentinel in the foreground'],
    ['$0 sentinel out/config/redis-sentinel-1/sentinel.conf', 'the file must be writable: Sentinel rewrites it'],
  ],
  async run(args) {
    let mod: { runSentinel?: (argv: string[]) => unknown };
    try {
      const { importSentinelModule } = await import('../sentinel-module.js');
      mod = await importSentinelModule();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('sentinel/main')) {
        throw new MissingDependencyError(
          'The bundled sentinel program (src/sentinel/main.ts)',
          'This copy of sentinel-compose was built without it: run `npm run build`, or use `sentinels.implementation: redis`.',
          { cause: err },
        );
      }
      throw err;
    }
    if (typeof mod.runSentinel !== 'function') {
      throw new MissingDependencyError(
        'runSentinel() in src/sentinel/main.ts',
        'The sentinel module does not export runSentinel(argv); rebuild sentinel-compose.',
      );
    }
    const code = await mod.runSentinel(args._.map(String));
    return typeof code === 'number' ? code : 0;
  },
});
