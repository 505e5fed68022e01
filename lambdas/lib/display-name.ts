/**
 * The one definition of a person's display name: the AppInstanceUser `Name` the Cognito triggers
 * create, and the name the people API (`GET /users`) answers. Pure: no SDK, no environment.
 */

/** `Name`: 1-100 characters matching `.*\S.*`. */
export const NAME_MAX_LENGTH = 100;

/** Used when a profile yields no usable display name. */
const FALLBACK_NAME_PREFIX = 'User ';

/** Bidirectional overrides/isolates: they make a name render as something else. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
/** C0/C1 controls and line/paragraph separators: `.` in `.*\S.*` does not match them. */
const CONTROLS = /[\p{Cc}\u2028\u2029]/gu;
/** Unpaired UTF-16 surrogates (possible in JSON input). */
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Created on first use: building a Segmenter costs ~13 ms, and most names are short. */
let graphemes: Intl.Segmenter | undefined;

function truncateAtGrapheme(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > maxLength) break;
    out += segment;
  }
  return out;
}

/**
 * Makes any string a valid `Name`, or returns undefined if nothing visible is left: controls and
 * bidi overrides removed, whitespace runs collapsed to one space, trimmed, and cut at a grapheme
 * boundary to at most 100 UTF-16 code units (an emoji is never split in half).
 */
export function sanitizeDisplayName(raw: string): string | undefined {
  const cleaned = raw
    .replace(LONE_SURROGATES, '')
    .replace(BIDI_CONTROLS, '')
    .replace(CONTROLS, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  if (cleaned === '') return undefined;
  const out = truncateAtGrapheme(cleaned, NAME_MAX_LENGTH).trim();
  // Left with only invisible format characters (e.g. zero-width joiners): nothing to show.
  return /[^\s\p{Cf}]/u.test(out) ? out : undefined;
}

/** The user attributes {@link displayNameFromAttributes} reads (besides `sub`). */
export const DISPLAY_NAME_ATTRIBUTES = [
  'name',
  'preferred_username',
  'given_name',
  'family_name',
  'nickname',
  'email',
] as const;

/**
 * The display `Name` from the user's profile: `name`, then `preferred_username`, then
 * `given_name family_name`, then `nickname`, then the local part of `email` (never the whole
 * address); if none is usable, `User <first 8 characters of sub>`.
 */
export function displayNameFromAttributes(
  attributes: Readonly<Record<string, string | undefined>>,
  appInstanceUserId: string,
): string {
  const fullName = [attributes.given_name, attributes.family_name].filter(Boolean).join(' ');
  const emailLocalPart = attributes.email?.split('@')[0];
  const candidates = [
    attributes.name,
    attributes.preferred_username,
    fullName,
    attributes.nickname,
    emailLocalPart,
  ];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const name = sanitizeDisplayName(candidate);
    if (name !== undefined) return name;
  }
  return FALLBACK_NAME_PREFIX + appInstanceUserId.slice(0, 8);
}
