import { describePattern } from '../../kernel/index.js';

/** Election ids appear in state keys, CLI flags and URLs: short, lowercase, no separators. */
export const ELECTION_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';
describePattern(ELECTION_ID_PATTERN, "1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit");
