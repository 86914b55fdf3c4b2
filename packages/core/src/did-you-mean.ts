import { distance } from 'fastest-levenshtein';

/**
 * The candidate a mistyped `name` most likely meant: at most two edits away
 * (and fewer edits than its length, so `a` does not "mean" `b`), the closest
 * first, ties by name. Undefined when nothing is that close.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; edits: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const edits = distance(name.toLowerCase(), candidate.toLowerCase());
    if (edits > 2 || edits >= candidate.length) continue;
    if (best === undefined || edits < best.edits || (edits === best.edits && candidate < best.candidate)) best = { candidate, edits };
  }
  return best?.candidate;
}
