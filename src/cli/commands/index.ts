/**
 * Every command of the CLI, in --help order. To add one: write
 * commands/<name>.ts with defineCommand and add it here; main.ts needs no change.
 */
import type { AnyCommand } from '../registry.js';
import { downCommand } from './down.js';
import { drillCommand } from './drill.js';
import { failoverCommand } from './failover.js';
import { initCommand } from './init.js';
import { killCommand } from './kill.js';
import { logsCommand } from './logs.js';
import { pauseCommand } from './pause.js';
import { renderCommand } from './render.js';
import { restartCommand } from './restart.js';
import { sentinelCommand } from './sentinel.js';
import { statusCommand } from './status.js';
import { unpauseCommand } from './unpause.js';
import { upCommand } from './up.js';
import { validateCommand } from './validate.js';
import { waitCommand } from './wait.js';

export const commands: AnyCommand[] = [
  initCommand,
  validateCommand,
  renderCommand,
  upCommand,
  statusCommand,
  logsCommand,
  downCommand,
  drillCommand,
  pauseCommand,
  unpauseCommand,
  killCommand,
  restartCommand,
  failoverCommand,
  waitCommand,
  sentinelCommand,
] as AnyCommand[];
