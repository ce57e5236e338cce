import { serviceCommand } from './service-command.js';

export const restartCommand = serviceCommand('restart', {
  describe: 'Start services again (killed, stopped, paused or running) with their kept config and data',
  examples: [
    ['$0 restart redis-replica-1', 'start a killed replica again'],
    ['$0 restart redis-master && $0 wait', 'restart the master and wait until everything is healthy again'],
  ],
  epilogue:
    'A restarted node keeps the config it last rewrote and its data. An old master that was failed over while it was down comes back, and the sentinels turn it into a replica of the new master.',
});
