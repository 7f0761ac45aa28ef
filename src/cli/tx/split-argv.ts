/** How one of the command's own flags is written: with a value, or alone (`--no-NAME` when allowed). */
export interface OwnFlag {
  takesValue: boolean;
  allowNo: boolean;
}

export interface SplitArgv {
  /** The command's own flags with their values, for oclif to parse. */
  own: string[];
  /** APP and TYPE: the first two words before any payload flag. */
  positionals: string[];
  /** Payload flags and whatever follows them that is not an own flag. */
  payload: string[];
}

/**
 * Splits `cairn tx` words three ways. APP and TYPE are read before any payload flag, so a
 * payload flag (whose type is not known yet: it comes from the node) can never take one of them
 * as its value; a word after a payload flag belongs to the payload, where a stray one is refused.
 */
export function splitArgv(argv: readonly string[], ownFlags: ReadonlyMap<string, OwnFlag>): SplitArgv {
  const split: SplitArgv = { own: [], positionals: [], payload: [] };
  let payloadStarted = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word.startsWith('--') && word.length > 2) {
      const name = word.slice(2).split('=')[0]!;
      const own = ownFlags.get(name) ?? (name.startsWith('no-') ? negatable(ownFlags.get(name.slice(3))) : undefined);
      if (own) {
        split.own.push(word);
        if (own.takesValue && !word.includes('=') && i + 1 < argv.length) split.own.push(argv[++i]!);
        continue;
      }
      payloadStarted = true;
      split.payload.push(word);
      continue;
    }
    if (!payloadStarted && split.positionals.length < 2 && !word.startsWith('-')) split.positionals.push(word);
    else split.payload.push(word);
  }
  return split;
}

function negatable(flag: OwnFlag | undefined): OwnFlag | undefined {
  return flag?.allowNo ? { takesValue: false, allowNo: false } : undefined;
}
