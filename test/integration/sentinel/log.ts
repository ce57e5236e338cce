/** Reading sentinel logs (`<pid>:X <date> <level> <message>`) in tests. */

export interface LogLine {
  pid: number;
  level: string;
  message: string;
  /** First word of the message: the event name for event lines. */
  event: string;
}

const LINE = /^(\d+):X (\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3}) ([.\-*#]) (.*)$/;

export function parseLog(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const l of text.split('\n')) {
    const m = LINE.exec(l.trimEnd());
    if (!m) continue;
    out.push({ pid: Number(m[1]), level: m[3]!, message: m[4]!, event: m[4]!.split(' ')[0]! });
  }
  return out;
}

/** Replaces concrete addresses and ids by names so that logs from different runs compare. */
export function normalise(message: string, names: Array<[string, string]>): string {
  let s = message;
  for (const [from, to] of names) s = s.split(from).join(to);
  return s;
}
