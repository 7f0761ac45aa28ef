/** Writes one stdout line: a sentence for people, or one JSON object with --json. */
export type Emit = (line: string | Record<string, unknown>) => void;

export function lineEmitter(out: { write(text: string): unknown } = process.stdout): Emit {
  return (line) => out.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
}
