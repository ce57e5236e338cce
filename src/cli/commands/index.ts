/**
 * Every command of the CLI, in --help order. To add one (up, down, status, logs, drill): write
 * commands/<name>.ts with defineCommand and add it here; main.ts needs no change.
 */
import type { AnyCommand } from '../registry.js';
import { downCommand } from './down.js';
import { drillCommand } from './drill.js';
import { initCommand } from './init.js';
import { logsCommand } from './logs.js';
import { renderCommand } from './render.js';
import { sentinelCommand } from './sentinel.js';
import { statusCommand } from './status.js';
import { upCommand } from './up.js';
import { validateCommand } from './validate.js';

export const commands: AnyCommand[] = [
  initCommand,
  validateCommand,
  renderCommand,
  upCommand,
  statusCommand,
  logsCommand,
  downCommand,
  drillCommand,
  sentinelCommand,
] as AnyCommand[];
