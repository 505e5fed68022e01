/**
 * EventBridge event patterns, as the EventBridge user guide ("Creating event patterns", "Content
 * filtering") defines them, for the operators the sandbox needs: exact values (strings, numbers,
 * booleans, null), `prefix`, `suffix`, `equals-ignore-case`, `exists`, `anything-but` and `$or`.
 * Hand-written because no maintained npm package evaluates EventBridge patterns (AWS's own
 * matcher, Event Ruler, is Java). A pattern with another operator is refused when the sandbox
 * reads the template, never silently mis-matched.
 */

type Json = Record<string, unknown>;

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'exists', 'anything-but']);

export class UnsupportedPatternError extends Error {
  constructor(message: string) {
    super(`the sandbox cannot evaluate this event pattern: ${message}`);
    this.name = 'UnsupportedPatternError';
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws UnsupportedPatternError for anything the matcher does not implement. */
export function assertSupportedPattern(pattern: unknown, path = ''): void {
  if (!isObject(pattern))
    throw new UnsupportedPatternError(`${path || 'the pattern'} is not an object`);
  for (const [key, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length === 0) {
        throw new UnsupportedPatternError(`${at} must be a non-empty list of patterns`);
      }
      value.forEach((p, i) => assertSupportedPattern(p, `${at}[${i}]`));
    } else if (Array.isArray(value)) {
      for (const item of value) {
        if (!isObject(item)) continue;
        const [op, ...more] = Object.keys(item);
        if (!op || more.length > 0 || !OPERATORS.has(op)) {
          throw new UnsupportedPatternError(`${at} uses ${JSON.stringify(item)}`);
        }
      }
    } else {
      assertSupportedPattern(value, at);
    }
  }
}

function scalarMatches(rule: unknown, value: unknown): boolean {
  if (!isObject(rule)) return rule === value;
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(String(rule.prefix));
  if ('suffix' in rule) return typeof value === 'string' && value.endsWith(String(rule.suffix));
  if ('equals-ignore-case' in rule) {
    return (
      typeof value === 'string' &&
      value.toLowerCase() === String(rule['equals-ignore-case']).toLowerCase()
    );
  }
  if ('anything-but' in rule) {
    const excluded = rule['anything-but'];
    const list = Array.isArray(excluded) ? excluded : [excluded];
    return value !== undefined && !list.some((x) => scalarMatches(x, value));
  }
  return false;
}

function valueMatches(rules: readonly unknown[], value: unknown): boolean {
  for (const rule of rules) {
    if (isObject(rule) && 'exists' in rule) {
      if ((value !== undefined) === (rule.exists === true)) return true;
      continue;
    }
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => !isObject(v) && scalarMatches(rule, v))) return true;
  }
  return false;
}

/** Whether `event` matches `pattern` (every field of the pattern, any value listed for a field). */
export function matchesPattern(pattern: Json, event: unknown): boolean {
  const subject = isObject(event) ? event : {};
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(rule as Json[]).some((alternative) => matchesPattern(alternative, subject)))
        return false;
    } else if (Array.isArray(rule)) {
      if (!valueMatches(rule, subject[key])) return false;
    } else if (isObject(rule)) {
      if (!matchesPattern(rule, subject[key])) return false;
    } else {
      return false;
    }
  }
  return true;
}
