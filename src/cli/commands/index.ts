/**
 * Every command of the CLI, in --help order. To add one (up, down, status, logs, drill): write
 * commands/<name>.ts with defineCommand and add it here; main.ts needs no change.
 */
import type { AnyCommand } from '../registry.js';
import { initCommand } from './init.js';
import { renderCommand } from './render.js';
import { sentinelCommand } from './sentinel.js';
import { validateCommand } from './validate.js';

export const commands: AnyCommand[] = [
  initCommand,
  validateCommand,
  renderCommand,
  // up, down, status, logs (runtime) and drill plug in here.
  sentinelCommand,
] as AnyCommand[];
