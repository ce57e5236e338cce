import { serviceCommand } from './service-command.js';

export const pauseCommand = serviceCommand('pause', {
  describe: 'Freeze services (SIGSTOP / docker pause): they keep their connections and answer nothing, as a hung server does',
  examples: [
    ['$0 pause redis-master', 'freeze the master: the sentinels fail over after down-after-milliseconds'],
    ['$0 pause redis-master && $0 wait --master-changed --from redis-master', 'freeze it and return once every sentinel names the new master'],
    ['$0 pause redis-sentinel-2 redis-sentinel-3', "take away the sentinels' majority"],
  ],
  epilogue:
    'A paused service stays paused until `sentinel-compose unpause` (or `down`): `status` names it as paused by this command, and `up` leaves it paused.',
});
