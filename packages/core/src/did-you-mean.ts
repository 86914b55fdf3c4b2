/**
 * The candidate a mistyped `name` most likely meant: at most two edits away
 * (and fewer edits than its length, so `a` does not "mean" `b`), the closest
 * first, ties by name. Undefined when nothing is that close.
 *
 * Hand-written rather than a library because print-token's hot path reaches
 * it through requireProfile and loads nothing but builtins and smol-toml.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; edits: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const edits = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (edits > 2 || edits >= candidate.length) continue;
    if (best === undefined || edits < best.edits || (edits === best.edits && candidate < best.candidate)) best = { candidate, edits };
  }
  return best?.candidate;
}

/** Levenshtein distance (insertions, deletions, substitutions), one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}
