/**
 * The command table: registration, lookup of `parent sub` pairs, and the checks Redis makes
 * before running a command (unknown command / subcommand, arity), with Redis's error texts.
 */
import type { CommandSpec } from './types.js';

export interface Entry {
  spec: CommandSpec;
  /** `ping`, or `client|list` for a subcommand. */
  fullName: string;
  parent?: Entry;
  subs: Map<string, Entry>;
}

/** A failed lookup's error text, as bytes: it echoes what the client sent, binary included. */
export type Lookup = { ok: true; entry: Entry } | { ok: false; error: Buffer };

export class CommandTable {
  private readonly commands = new Map<string, Entry>();

  /** Adds or replaces a command (core may replace the server's own ones). */
  register(spec: CommandSpec): void {
    const name = spec.name.toLowerCase();
    const entry: Entry = { spec: { ...spec, name }, fullName: name, subs: new Map() };
    for (const sub of spec.subcommands ?? []) {
      const subName = sub.name.toLowerCase();
      entry.subs.set(subName, { spec: { ...sub, name: subName }, fullName: `${name}|${subName}`, parent: entry, subs: new Map() });
    }
    if (!spec.handler && entry.subs.size === 0) throw new Error(`command ${name}: needs a handler or subcommands`);
    this.commands.set(name, entry);
  }

  /** Redis's rename-command: moves a command to a new name, or removes it when the name is ''. */
  rename(name: string, newName: string): string | null {
    const from = name.toLowerCase();
    const to = newName.toLowerCase();
    const e = this.commands.get(from);
    if (!e) return 'No such command in rename-command';
    if (to === '') {
      this.commands.delete(from);
      return null;
    }
    if (this.commands.has(to)) return 'Target command name already exists';
    this.commands.delete(from);
    e.fullName = to;
    e.spec = { ...e.spec, name: to };
    for (const sub of e.subs.values()) sub.fullName = `${to}|${sub.spec.name}`;
    this.commands.set(to, e);
    return null;
  }

  get(name: string): Entry | undefined {
    return this.commands.get(name.toLowerCase());
  }

  /** `ping` or `client|list`, as COMMAND INFO and ACL accept them. */
  getByFullName(fullName: string): Entry | undefined {
    const [parent, sub] = fullName.toLowerCase().split('|');
    const e = this.commands.get(parent!);
    if (!e || sub === undefined) return e;
    return e.subs.get(sub);
  }

  all(): Entry[] {
    return [...this.commands.values()];
  }

  /** Redis's lookupCommand + the unknown-command and arity checks of processCommand. */
  lookup(argv: Buffer[]): Lookup {
    // Redis compares command names with strcasecmp: ASCII case only (no Unicode folding that
    // would let e.g. the Kelvin sign stand for a 'k').
    const base = this.commands.get(asciiLower(argv[0]!));
    if (!base) return { ok: false, error: unknownCommand(argv) };
    let entry = base;
    if (base.subs.size > 0 && argv.length >= 2) {
      const sub = base.subs.get(asciiLower(argv[1]!));
      if (!sub) return { ok: false, error: unknownSubcommand(argv) };
      entry = sub;
    }
    if (!arityOk(entry.spec.arity, argv.length)) {
      return { ok: false, error: Buffer.from(`ERR wrong number of arguments for '${entry.fullName}' command`) };
    }
    return { ok: true, entry };
  }
}

function asciiLower(b: Buffer): string {
  return b.toString('latin1').replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** What C's "%s" prints of a Redis string: up to its first NUL byte. */
function cStr(b: Buffer, max = Infinity): Buffer {
  const nul = b.indexOf(0);
  const end = Math.min(nul >= 0 ? nul : b.length, max);
  return b.subarray(0, end);
}

/**
 * "unknown command 'x', with args beginning with: 'a' 'b' ": the bytes Redis's printf-built text
 * has (names and args cut at 128 bytes and at a NUL, binary kept as it is). The client turns
 * CR and LF into spaces when it sends it, as Redis does.
 */
function unknownCommand(argv: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  let argsLen = 0;
  for (let i = 1; i < argv.length && argsLen < 128; i++) {
    const a = Buffer.concat([Buffer.from("'"), cStr(argv[i]!, 128 - argsLen), Buffer.from("' ")]);
    parts.push(a);
    argsLen += a.length;
  }
  return Buffer.concat([Buffer.from("ERR unknown command '"), cStr(argv[0]!, 128), Buffer.from("', with args beginning with: "), ...parts]);
}

/** "unknown subcommand 'x'. Try CLIENT HELP." with the container's name upper-cased (ASCII only). */
function unknownSubcommand(argv: Buffer[]): Buffer {
  const name = Buffer.from(
    cStr(argv[0]!)
      .toString('latin1')
      .replace(/[a-z]+/g, (m) => m.toUpperCase()),
    'latin1',
  );
  return Buffer.concat([Buffer.from("ERR unknown subcommand '"), cStr(argv[1]!, 128), Buffer.from("'. Try "), name, Buffer.from(' HELP.')]);
}

export function arityOk(arity: number, argc: number): boolean {
  return arity > 0 ? argc === arity : argc >= -arity;
}
