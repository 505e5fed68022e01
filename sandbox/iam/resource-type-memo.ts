/**
 * Memoizes the two resource-type matchers of @cloud-copilot/iam-utils that iam-simulate calls on
 * every simulation: `mostSpecificMatchingResourceTypePatterns` (which resource types of the action
 * a resource is, twice per simulation) and `resourceStringMatchesResourceTypePattern` (does a
 * policy's `Resource` fit a type). Each intersects ARN patterns with an automaton, and was most of
 * the IAM engine's time: 4.6 of the infra tests' 19 CPU-s in one process. Both are pure functions of
 * their strings, and requests repeat them: the security matrix makes 2,222 calls with 263 distinct
 * arguments.
 *
 * Hand-written because the library has no cache of its own. iam-simulate's CommonJS build reads
 * these functions off iam-utils' exports at each call (`(0, iam_utils_1.fn)(...)`), so replacing the
 * two exports is enough; where they cannot be replaced (an ES module namespace), decisions are the
 * same and only slower. `resourceTypeMemoStats()` tells whether the memo is in the path.
 */
// The module's own exports object, the one iam-simulate reads (an `import * as` namespace is a copy
// under some loaders, tsx's for one).
import iamUtils = require('@cloud-copilot/iam-utils');

/** Distinct arguments kept per function; the memo starts over when full (a test run stays far below). */
const MAX_ENTRIES = 20_000;

interface Memo {
  readonly entries: Map<string, unknown>;
  hits: number;
  misses: number;
}

const mostSpecific: Memo = { entries: new Map(), hits: 0, misses: 0 };
const matches: Memo = { entries: new Map(), hits: 0, misses: 0 };

function remember<T>(memo: Memo, key: string, compute: () => T): T {
  if (memo.entries.has(key)) {
    memo.hits += 1;
    return memo.entries.get(key) as T;
  }
  memo.misses += 1;
  const value = compute();
  if (memo.entries.size >= MAX_ENTRIES) memo.entries.clear();
  memo.entries.set(key, value);
  return value;
}

/** Replaces `name` on iam-utils' exports with `value`; false when the exports are frozen (ESM). */
function replaceExport(name: keyof typeof iamUtils, value: unknown): boolean {
  try {
    Object.defineProperty(iamUtils, name, { value, enumerable: true, configurable: true });
    return (iamUtils as Record<string, unknown>)[name] === value;
  } catch {
    return false;
  }
}

const originalMostSpecific = iamUtils.mostSpecificMatchingResourceTypePatterns;
const originalMatches = iamUtils.resourceStringMatchesResourceTypePattern;

const installed =
  replaceExport(
    'mostSpecificMatchingResourceTypePatterns',
    (resource: string, patterns: string[]): string[] =>
      // A frozen copy: callers only read the result, and none of them can change the cached one.
      remember(mostSpecific, `${resource}\n${patterns.join('\n')}`, () =>
        Object.freeze(originalMostSpecific(resource, patterns)),
      ) as string[],
  ) &&
  replaceExport(
    'resourceStringMatchesResourceTypePattern',
    (resource: string, pattern: string): boolean =>
      remember(matches, `${resource}\n${pattern}`, () => originalMatches(resource, pattern)),
  );

export interface ResourceTypeMemoStats {
  /** False when iam-utils' exports could not be replaced: every call is computed. */
  readonly installed: boolean;
  readonly hits: number;
  readonly misses: number;
}

/** Calls answered from the memo and computed, both functions together, since the process began. */
export function resourceTypeMemoStats(): ResourceTypeMemoStats {
  return {
    installed,
    hits: mostSpecific.hits + matches.hits,
    misses: mostSpecific.misses + matches.misses,
  };
}
