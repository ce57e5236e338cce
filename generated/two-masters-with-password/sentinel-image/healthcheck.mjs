// Healthcheck for the bundled sentinel image: PING over RESP, with AUTH when SENTINEL_PASSWORD
// is set. Exit 0 on +PONG. Usage: node healthcheck.mjs HOST PORT. Docker runs healthcheck.sh,
// which does the same in bash and comes here only in an image without bash.
import net from 'node:net';

const [host = '127.0.0.1', port = '26379'] = process.argv.slice(2);
const cmd = (...args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
const password = process.env.SENTINEL_PASSWORD;
const sock = net.connect({ host, port: Number(port) });
let reply = '';
const done = (code) => {
  sock.destroy();
  process.exit(code);
};
setTimeout(() => done(1), 2000).unref();
sock.on('connect', () => sock.write((password ? cmd('AUTH', password) : '') + cmd('PING')));
sock.on('data', (d) => {
  reply += d.toString();
  if (reply.startsWith('-')) done(1);
  if (reply.includes('+PONG\r\n')) done(0);
});
sock.on('error', () => done(1));
