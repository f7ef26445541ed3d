/**
 * Sanctions screening of beneficiary names: fuzzy match (normalised edit
 * distance) against a watch list of 5,000 parties with three aliases each.
 * A trigram inverted index, built once, narrows each screening to the few
 * aliases sharing enough trigrams with the name; only those are compared.
 *
 * @module
 */

const GIVEN = ['Ali', 'Boris', 'Chen', 'Dmitri', 'Elena', 'Farid', 'Gustavo', 'Hana', 'Ivan', 'Jamal', 'Kim', 'Lucia', 'Mohammed', 'Nadia', 'Omar', 'Pavel', 'Qasim', 'Rosa', 'Sergei', 'Tariq'];
const FAMILY = ['Petrov', 'Hassan', 'Kuznetsov', 'Al-Rashid', 'Ortega', 'Volkov', 'Haddad', 'Novikov', 'Ibrahim', 'Sokolov', 'Mansour', 'Rahman', 'Morozov', 'Karimi', 'Lebedev'];

/** The consolidated watch list: every alias of 5,000 listed parties (deterministic stand-in for the feed). */
export const WATCH_LIST: string[] = Array.from({ length: 5000 }, (_, i) => {
  const tag = ((i * 2654435761) >>> 0).toString(36).slice(0, 5);
  const given = GIVEN[i % GIVEN.length];
  const family = FAMILY[(i * 7) % FAMILY.length];
  const kind = i % 3 === 0 ? 'Trading' : 'Holdings';
  return [`${given} ${family} ${tag} ${kind}`, `${family} ${given} ${tag}`, `${tag.toUpperCase()} ${kind} ${family}-${given}`];
}).flat();

function trigrams(name: string): Set<string> {
  const s = ` ${name.toLowerCase()} `;
  const out = new Set<string>();
  for (let i = 0; i < s.length - 2; i++) out.add(s.slice(i, i + 3));
  return out;
}

// One pair of rows reused by every comparison: the distance itself allocates nothing.
let prevRow = new Int32Array(128);
let currRow = new Int32Array(128);

/** Similarity in [0, 1]: 1 - Levenshtein distance / longer length (case-insensitive). */
export function similarity(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  if (b.length + 1 > prevRow.length) [prevRow, currRow] = [new Int32Array(b.length + 1), new Int32Array(b.length + 1)];
  for (let j = 0; j <= b.length; j++) prevRow[j] = j;
  for (let i = 1; i <= a.length; i++) {
    currRow[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      currRow[j] = Math.min(prevRow[j] + 1, currRow[j - 1] + 1, prevRow[j - 1] + cost);
    }
    [prevRow, currRow] = [currRow, prevRow];
  }
  return 1 - prevRow[b.length] / Math.max(a.length, b.length, 1);
}

/** A screening verdict. */
export interface Screening { hit: boolean; score: number; compared: number; listed?: string }

/** Fuzzy screener over a watch list. */
export class Screener {
  private readonly index = new Map<string, number[]>();

  constructor(private readonly names: readonly string[], private readonly threshold = 0.85) {
    names.forEach((name, i) => {
      for (const g of trigrams(name)) {
        const list = this.index.get(g);
        if (list) list.push(i);
        else this.index.set(g, [i]);
      }
    });
  }

  /** Best match of `name` among the aliases sharing at least a third of its trigrams. */
  screen(name: string): Screening {
    const query = trigrams(name);
    const shared = new Map<number, number>();
    for (const g of query) for (const i of this.index.get(g) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
    const candidates: number[] = [];
    for (const [i, n] of shared) if (n * 3 >= query.size) candidates.push(i);
    return this.best(name, candidates);
  }

  /** Best match of `name` over every alias on the list, without the trigram prefilter. */
  screenAll(name: string): Screening {
    return this.best(name, this.names.map((_, i) => i));
  }

  private best(name: string, candidates: number[]): Screening {
    let best = 0;
    let listed: string | undefined;
    for (const i of candidates) {
      const score = similarity(name, this.names[i]);
      if (score > best) [best, listed] = [score, this.names[i]];
    }
    const hit = best >= this.threshold;
    return { hit, score: Number(best.toFixed(3)), compared: candidates.length, ...(hit ? { listed } : {}) };
  }
}
