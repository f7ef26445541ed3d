/**
 * Typo-tolerant matching: the best similarity (1 - normalised Levenshtein
 * distance) between the query and any word of a product name.
 *
 * @module
 */

/** Levenshtein distance with a single reused row. */
export function levenshtein(a: string, b: string): number {
  const row = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** Similarity in [0, 1] of `query` to the closest word prefix of `name` (prefixes one longer than the query). */
export function fuzzyScore(query: string, name: string): number {
  let best = 0;
  for (const word of name.toLowerCase().split(' ')) {
    if (/^\d+$/.test(word)) continue; // model numbers are matched exactly elsewhere, never fuzzily
    const candidate = word.slice(0, query.length + 1);
    const distance = levenshtein(query, candidate);
    best = Math.max(best, 1 - distance / Math.max(query.length, candidate.length));
  }
  return best;
}
