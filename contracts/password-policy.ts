/**
 * The user pool's password policy: written into the template by the `ChatUserPool` construct and
 * shown by the web demo as rules a person sees before typing. One definition for both.
 */
export const PASSWORD_POLICY = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
} as const;

export interface PasswordRule {
  readonly id: 'length' | 'lowercase' | 'uppercase' | 'digit' | 'symbol';
  /** Plain words, e.g. "At least 12 characters". */
  readonly label: string;
  readonly met: boolean;
}

/** Cognito's special characters (the space counts too, except at either end). */
const SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]|\S \S/;

/** The policy's rules and whether `password` meets each (in the policy's order). */
export function passwordRules(password: string): readonly PasswordRule[] {
  const p = PASSWORD_POLICY;
  const rules: PasswordRule[] = [
    {
      id: 'length',
      label: `At least ${p.minLength} characters`,
      met: [...password].length >= p.minLength,
    },
  ];
  if (p.requireLowercase) {
    rules.push({ id: 'lowercase', label: 'A lower-case letter', met: /[a-z]/.test(password) });
  }
  if (p.requireUppercase) {
    rules.push({ id: 'uppercase', label: 'An upper-case letter', met: /[A-Z]/.test(password) });
  }
  if (p.requireDigits) rules.push({ id: 'digit', label: 'A digit', met: /\d/.test(password) });
  if (p.requireSymbols) {
    rules.push({ id: 'symbol', label: 'A symbol such as ! or -', met: SYMBOLS.test(password) });
  }
  return rules;
}
