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

export type Lookup = { ok: true; entry: Entry } | { ok: false; error: string };

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
    const name = argv[0]!.toString('utf8');
    const base = this.commands.get(name.toLowerCase());
    if (!base) return { ok: false, error: unknownCommand(name, argv) };
    let entry = base;
    if (base.subs.size > 0 && argv.length >= 2) {
      const subName = argv[1]!.toString('utf8');
      const sub = base.subs.get(subName.toLowerCase());
      if (!sub) return { ok: false, error: `ERR unknown subcommand '${subName.slice(0, 128)}'. Try ${name.toUpperCase()} HELP.` };
      entry = sub;
    }
    if (!arityOk(entry.spec.arity, argv.length)) {
      return { ok: false, error: `ERR wrong number of arguments for '${entry.fullName}' command` };
    }
    return { ok: true, entry };
  }
}

export function arityOk(arity: number, argc: number): boolean {
  return arity > 0 ? argc === arity : argc >= -arity;
}

/** "unknown command 'x', with args beginning with: 'a' 'b' " — args shown up to 128 characters. */
function unknownCommand(name: string, argv: Buffer[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i]!.toString('utf8').slice(0, 128 - args.length)}' `;
  }
  return `ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${args}`;
}
