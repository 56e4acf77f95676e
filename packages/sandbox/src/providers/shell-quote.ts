// Quotes a word for a POSIX shell, so a path typed into a terminal runs as the one path it is.

/** Characters a word may hold and still mean itself to a shell, unquoted. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `word` as a shell reads it back: unchanged when plain, else in single quotes. */
export function shellQuote(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
