import { serviceCommand } from './service-command.js';

export const unpauseCommand = serviceCommand('unpause', {
  describe: 'Resume paused services (SIGCONT / docker unpause)',
  examples: [
    ['$0 unpause redis-master', 'resume it; an old master that was failed over rejoins as a replica'],
    ['$0 unpause redis-master && $0 wait', 'resume it and return once the topology is healthy again'],
  ],
  epilogue:
    'Data nodes are resumed before sentinels, whatever the order given: a sentinel resumed before a frozen master could start a failover nobody asked for.',
});
