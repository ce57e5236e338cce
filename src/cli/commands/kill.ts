import { serviceCommand } from './service-command.js';

export const killCommand = serviceCommand('kill', {
  describe: 'Kill services with SIGKILL, as a crash does: connections are refused until `restart`',
  examples: [
    ['$0 kill redis-replica-1', 'crash a replica'],
    ['$0 kill redis-master && $0 wait --master-changed --from redis-master', 'crash the master and wait for the failover'],
  ],
  epilogue:
    'A killed service stays down until `sentinel-compose restart` (or `up`, which starts whatever is not running); `status` names it as killed by this command.',
});
