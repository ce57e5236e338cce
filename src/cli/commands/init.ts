import { UsageError, type Problem } from '../../common/errors.js';
import { writeFilesAtomic, type FileToWrite } from '../../common/files.js';
import { DEFAULT_SPEC_FILE, DEFAULTS, majorityOf } from '../../topology/defaults.js';
import { defineCommand } from '../registry.js';

export const initCommand = defineCommand({
  name: 'init',
  describe: 'Write a commented sentinel-compose.yaml to start from',
  options: {
    spec: { alias: 'f', type: 'string', default: DEFAULT_SPEC_FILE, describe: 'File to write', requiresArg: true },
    project: { type: 'string', default: DEFAULTS.project, describe: 'Compose project name', requiresArg: true },
    network: { choices: ['host', 'bridge'] as const, default: DEFAULTS.network, describe: 'host (Linux) or bridge (Docker Desktop, or Linux)' },
    masters: {
      type: 'string',
      default: DEFAULTS.masterName,
      describe: 'Master names, comma-separated (each is one replicated group)',
      requiresArg: true,
    },
    // The ranges are the spec's (a test checks them against the schema).
    replicas: {
      type: 'number',
      default: DEFAULTS.replicas,
      describe: 'Replicas per master',
      requiresArg: true,
      range: { min: 0, max: 20, integer: true, example: 2 },
    },
    sentinels: {
      type: 'number',
      default: DEFAULTS.sentinels.count,
      describe: 'Number of sentinels (odd: 3 or 5)',
      requiresArg: true,
      range: { min: 1, max: 25, integer: true, example: 3 },
    },
    quorum: {
      type: 'number',
      describe: 'Sentinels that must agree a master is down (default: a majority)',
      requiresArg: true,
      range: { min: 1, max: 25, integer: true, example: 2 },
    },
    implementation: {
      choices: ['bundled', 'redis'] as const,
      default: DEFAULTS.sentinels.implementation,
      describe: 'bundled TypeScript Sentinel, or redis-sentinel',
    },
    password: {
      type: 'boolean',
      default: false,
      describe: 'Require a password: the spec reads ${REDIS_PASSWORD}, and a random one goes into the .env beside it',
    },
    force: { type: 'boolean', default: false, describe: 'Overwrite an existing spec file' },
  },
  examples: [
    ['$0 init', 'the seed layout: 1 master, 2 replicas, 3 sentinels, quorum 2, host networking'],
    ['$0 init --network bridge --password', 'bridge networking with a password'],
    ['$0 init --masters orders,sessions --sentinels 5', 'two groups watched by five sentinels'],
  ],
  async run(args, ctx) {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.resolve(ctx.cwd, args.spec);
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
      throw new UsageError([
        { path: '--spec', value: args.spec, message: 'is a folder', fix: 'give the path of the spec file to write, e.g. --spec sentinel-compose.yaml' },
      ]);
    }
    if (fs.existsSync(file) && !args.force) {
      throw new UsageError([
        { path: '--spec', value: args.spec, message: 'already exists', fix: 'pass --force to overwrite it, or --spec to write another file' },
      ]);
    }
    const { renderTemplate } = await import('../../render/templates.js');
    const { parseSpec } = await import('../../topology/load.js');
    const { parseDotEnv } = await import('../../topology/env.js');
    const { randomBytes } = await import('node:crypto');

    const names = String(args.masters)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!names.length) {
      throw new UsageError([
        { path: '--masters', value: args.masters, message: 'names no master', fix: 'e.g. --masters mymaster, or --masters orders,sessions for two groups' },
      ]);
    }
    const sentinels = args.sentinels;
    const quorum = args.quorum ?? majorityOf(sentinels);
    const envFile = path.join(path.dirname(file), '.env');
    const dotEnv = fs.existsSync(envFile) ? parseDotEnv(fs.readFileSync(envFile, 'utf8')) : {};
    const needPassword = args.password && !dotEnv.REDIS_PASSWORD && !process.env.REDIS_PASSWORD;
    const newPassword = needPassword ? randomBytes(18).toString('base64url') : undefined;

    const text = renderTemplate('init.yaml.hbs', {
      schemaRef: await schemaRef(path.dirname(file)),
      project: args.project,
      network: args.network,
      masters: names.map((name) => ({ name })),
      replicas: args.replicas,
      quorum,
      sentinels,
      implementation: args.implementation,
      // The sentinels' timings are written out so that the user sees what to tune.
      downAfterMs: DEFAULTS.sentinels.downAfterMs,
      failoverTimeoutMs: DEFAULTS.sentinels.failoverTimeoutMs,
      parallelSyncs: DEFAULTS.sentinels.parallelSyncs,
      password: args.password,
    });
    // The flags must give a valid spec: check before writing anything.
    try {
      parseSpec(text, { file, dotEnv: { ...dotEnv, ...(newPassword ? { REDIS_PASSWORD: newPassword } : {}) } });
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(asFlagProblems(err.problems), { cause: err });
      throw err;
    }
    // The spec and its password are written together or not at all: a spec whose .env did not
    // get the password would fail on the next command.
    const files: FileToWrite[] = [{ file, content: text }];
    const notes = [`${ctx.out.color.green('wrote')} ${path.relative(ctx.cwd, file) || file}`];
    if (newPassword) {
      const before = fs.existsSync(envFile) ? fs.readFileSync(envFile, 'utf8') : '';
      const prefix = before && !before.endsWith('\n') ? '\n' : '';
      files.push({
        file: envFile,
        content: `${before}${prefix}# Written by sentinel-compose init: the data nodes' password.\nREDIS_PASSWORD=${newPassword}\n`,
        mode: 0o600,
      });
      notes.push(`${ctx.out.color.green('wrote')} a random REDIS_PASSWORD to ${path.relative(ctx.cwd, envFile) || envFile} (mode 0600)`);
    }
    writeFilesAtomic(files, `writing ${args.spec}`);
    notes.push('next: sentinel-compose render');
    ctx.result({ ok: true, spec: file, envFile: newPassword ? envFile : null }, notes.join('\n'));
  },
});

/** The flag that put each spec field there, so that a problem names what the user typed. */
const FLAG_OF: [RegExp, string][] = [
  [/^project$/, '--project'],
  [/^masters(\[\d+\](\.name)?)?$/, '--masters'],
  [/^masters\[\d+\]\.replicas$/, '--replicas'],
  [/^masters\[\d+\]\.quorum$/, '--quorum'],
  [/^sentinels\.count$/, '--sentinels'],
];

function asFlagProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.flatMap((p) => {
    const flag = FLAG_OF.find(([re]) => re.test(p.path))?.[1];
    const q = flag ? { ...p, path: flag, line: undefined } : { ...p, message: `${p.message} (from the init flags)`, line: undefined };
    // One flag fills every master's field: its problem is said once.
    const key = `${q.path} ${q.message}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [q];
  });
}

/**
 * What the `$schema` comment points at: the installed package's schema when the project has
 * sentinel-compose in node_modules (works offline, matches the installed version), otherwise
 * the published copy of this version.
 */
async function schemaRef(dir: string): Promise<string> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const rel = 'node_modules/sentinel-compose/schema/sentinel-compose.schema.json';
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, rel);
    if (fs.existsSync(candidate)) return path.relative(dir, candidate).split(path.sep).join('/');
    if (path.dirname(d) === d) break;
  }
  const { packageVersion } = await import('../version.js');
  return `https://unpkg.com/sentinel-compose@${packageVersion()}/schema/sentinel-compose.schema.json`;
}
