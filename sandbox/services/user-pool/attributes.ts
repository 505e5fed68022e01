/**
 * User attribute writes as Cognito judges them, for the pool's schema and the app client's
 * read/write permissions. cognito-local accepts any attribute (`sub` included), so a self
 * sign-up could claim another user's `sub`; every operation that writes attributes checks them
 * here first.
 *
 * The rules, in the order applied (each over the whole request before the next):
 * 1. shape: a list of `{ Name, Value }` with string values (`SerializationException` otherwise,
 *    as Cognito's JSON protocol answers an object, list, number or boolean);
 * 2. the model's lengths (name 1-32, value up to 2048: `InvalidParameterException`);
 * 3. `sub` is Cognito's own: never written (`Cannot modify the non-mutable attribute sub`);
 * 4. the schema: an attribute the pool does not have is refused (`InvalidParameterException`);
 * 5. mutability: an immutable attribute cannot be changed after the user exists;
 * 6. the app client's `WriteAttributes` (default: the standard attributes) for what a client
 *    writes: `NotAuthorizedException: A client attempted to write unauthorized attribute`;
 * 7. formats Cognito checks (email, phone number), and in a pool whose username is the email, an
 *    `email` attribute equal to the username.
 * The messages are Cognito's where public reports show them; docs/sandbox.md lists the others.
 */
import type { AppClient } from 'cognito-local/lib/services/appClient';
import { CognitoError, InvalidParameterError, NotAuthorizedError } from 'cognito-local/lib/errors';
import type { UserPool } from 'cognito-local/lib/services/userPoolService';

export interface Attribute {
  readonly Name: string;
  /** Absent: the attribute is removed (UpdateUserAttributes with no value). */
  readonly Value?: string;
}

/** Who writes, which decides the rules that apply. */
export type AttributeWrite =
  /** SignUp: a new user, through the app client. */
  | 'SignUp'
  /** AdminCreateUser: a new user, IAM-authorized. */
  | 'AdminCreateUser'
  /** UpdateUserAttributes: the user, with their access token, through the app client. */
  | 'UpdateUserAttributes'
  /** AdminUpdateUserAttributes: IAM-authorized. */
  | 'AdminUpdateUserAttributes'
  /** `userAttributes.*` answers to NEW_PASSWORD_REQUIRED, through the app client. */
  | 'NewPasswordChallenge';

const CLIENT_WRITES: ReadonlySet<AttributeWrite> = new Set([
  'SignUp',
  'UpdateUserAttributes',
  'NewPasswordChallenge',
]);
const CREATES: ReadonlySet<AttributeWrite> = new Set(['SignUp', 'AdminCreateUser']);

/** Attributes Cognito sets itself; the verified flags are the administrator's (or a code's). */
const VERIFIED_FLAGS = ['email_verified', 'phone_number_verified'];
const MAX_NAME = 32;
const MAX_VALUE = 2048;
const NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
// What Cognito accepts as an email is not published; this refuses what is clearly not one.
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+\d{4,15}$/;

/** `SerializationException`: the request does not fit the operation's JSON shape. */
export class SerializationError extends CognitoError {
  constructor(message: string) {
    super('SerializationException', message);
  }
}

/** The message Cognito's JSON deserializer gives for a value of the wrong JSON type. */
function wrongType(value: unknown): SerializationError {
  if (Array.isArray(value))
    return new SerializationError('Start of list found where not expected.');
  if (typeof value === 'object' && value !== null) {
    return new SerializationError('Start of structure or map found where not expected.');
  }
  const javaClass =
    typeof value === 'number'
      ? 'com.amazon.coral.value.json.numbers.TruncatingBigNumber'
      : 'java.lang.Boolean';
  return new SerializationError(`class ${javaClass} can not be converted to an String`);
}

function validationError(member: string, constraint: string): InvalidParameterError {
  return new InvalidParameterError(
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/**
 * Rules 1-2: the request's attribute list, typed; `member` names it in messages
 * (`userAttributes`). `undefined` is an empty list (the member is optional).
 */
export function parseAttributes(value: unknown, member = 'userAttributes'): Attribute[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw wrongType(value);
  return value.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw wrongType(item);
    const { Name: name, Value: attributeValue } = item as Record<string, unknown>;
    const at = `${member}.${index + 1}.member`;
    if (name === undefined || name === null) {
      throw validationError(`${at}.name`, 'Member must not be null');
    }
    if (typeof name !== 'string') throw wrongType(name);
    if (attributeValue !== undefined && attributeValue !== null) {
      if (typeof attributeValue !== 'string') throw wrongType(attributeValue);
    }
    if (name.length < 1 || name.length > MAX_NAME || !NAME.test(name)) {
      throw validationError(
        `${at}.name`,
        `Member must have length between 1 and ${MAX_NAME} and match the pattern of attribute names`,
      );
    }
    if (typeof attributeValue === 'string' && attributeValue.length > MAX_VALUE) {
      throw validationError(
        `${at}.value`,
        `Member must have length less than or equal to ${MAX_VALUE}`,
      );
    }
    return typeof attributeValue === 'string'
      ? { Name: name, Value: attributeValue }
      : { Name: name };
  });
}

/** A list of attribute names (DeleteUserAttributes), typed (rule 1). */
export function parseAttributeNames(value: unknown, member = 'userAttributeNames'): string[] {
  if (!Array.isArray(value)) {
    if (value === undefined || value === null) {
      throw validationError(member, 'Member must not be null');
    }
    throw wrongType(value);
  }
  return value.map((name: unknown) => {
    if (typeof name !== 'string') throw wrongType(name);
    return name;
  });
}

/** The pool schema and the app client's permissions that attribute rules depend on. */
export class AttributePolicy {
  private readonly schema: ReadonlyMap<string, { mutable: boolean; required: boolean }>;

  constructor(
    private readonly pool: UserPool,
    private readonly client: AppClient | undefined,
  ) {
    this.schema = new Map(
      (pool.SchemaAttributes ?? []).flatMap((a) =>
        a.Name ? [[a.Name, { mutable: a.Mutable !== false, required: a.Required === true }]] : [],
      ),
    );
  }

  /** Standard (not `custom:`/`dev:`) attributes of the schema, the verified flags excluded. */
  private standard(): string[] {
    return [...this.schema.keys()].filter(
      (name) => !name.includes(':') && name !== 'sub' && !VERIFIED_FLAGS.includes(name),
    );
  }

  /** What the app client may write: `WriteAttributes`, else the standard attributes; required ones always. */
  writable(): ReadonlySet<string> {
    const listed = this.client?.WriteAttributes;
    const required = [...this.schema].filter(([, a]) => a.required).map(([name]) => name);
    return new Set(
      [...(listed?.length ? listed : this.standard()), ...required].filter((n) => n !== 'sub'),
    );
  }

  /** What the app client may read (GetUser, ID token claims): `ReadAttributes`, else standard + flags. */
  readable(): ReadonlySet<string> {
    const listed = this.client?.ReadAttributes;
    return new Set(['sub', ...(listed?.length ? listed : [...this.standard(), ...VERIFIED_FLAGS])]);
  }

  private usernameIsEmail(): boolean {
    return (this.pool.UsernameAttributes ?? []).includes('email');
  }

  /**
   * Rules 3-7 for `attributes` written by `write`; `username` is the request's (creations).
   * Throws the error Cognito answers with.
   */
  check(write: AttributeWrite, attributes: readonly Attribute[], username?: string): void {
    const names = attributes.map((a) => a.Name);
    const creating = CREATES.has(write);
    // 3. Cognito's own attribute; answering a new-password challenge, the flags are too.
    const fixed = write === 'NewPasswordChallenge' ? ['sub', ...VERIFIED_FLAGS] : ['sub'];
    const own = names.find((name) => fixed.includes(name));
    if (own) throw new InvalidParameterError(`Cannot modify the non-mutable attribute ${own}`);
    // 4. The schema.
    const unknown = names.filter((name) => !this.schema.has(name));
    if (unknown.length > 0) {
      if (write === 'SignUp') {
        throw new InvalidParameterError(
          `Attributes did not conform to the schema: ${unknown
            .map((name) => `${name}: Attribute does not exist in the schema.\n`)
            .join('')}`,
        );
      }
      if (write === 'AdminCreateUser') {
        throw new InvalidParameterError(
          `Attributes did not conform to the schema: Type for attribute {${unknown[0]}} could not be determined`,
        );
      }
      throw new InvalidParameterError(
        unknown.map((name) => `user.${name}: Attribute does not exist in the schema.\n`).join(''),
      );
    }
    // 5. Immutable attributes are written once, when the user is created.
    if (!creating) {
      const immutable = names.find((name) => this.schema.get(name)?.mutable === false);
      if (immutable) {
        throw new InvalidParameterError(`user.${immutable}: Attribute cannot be updated.\n`);
      }
    }
    // 6. The app client's write permissions.
    if (CLIENT_WRITES.has(write)) {
      const writable = this.writable();
      if (names.some((name) => !writable.has(name))) {
        throw new NotAuthorizedError('A client attempted to write unauthorized attribute');
      }
    }
    // 7. Formats, and the email of a pool whose username is the email.
    for (const { Name: name, Value: value } of attributes) {
      if (value === undefined) continue;
      if (name === 'email' && !EMAIL.test(value)) {
        throw new InvalidParameterError('Invalid email address format.');
      }
      if (name === 'phone_number' && !PHONE.test(value)) {
        throw new InvalidParameterError('Invalid phone number format.');
      }
    }
    const emails = attributes.filter((a) => a.Name === 'email' && a.Value !== undefined);
    if (
      creating &&
      this.usernameIsEmail() &&
      username !== undefined &&
      emails.some((a) => a.Value?.toLowerCase() !== username.toLowerCase())
    ) {
      throw new InvalidParameterError(
        'User email should be empty or same as username, since username attribute is email.',
      );
    }
  }

  /**
   * DeleteUserAttributes (`client`: through the app client) / AdminDeleteUserAttributes: only
   * attributes of the schema that are neither Cognito's, immutable nor required, and, for the
   * client, writable by it.
   */
  checkDeletion(names: readonly string[], client: boolean): void {
    const unknown = names.filter((name) => !this.schema.has(name));
    if (unknown.length > 0) {
      throw new InvalidParameterError(
        unknown.map((name) => `user.${name}: Attribute does not exist in the schema.\n`).join(''),
      );
    }
    const fixed = names.find((name) => name === 'sub' || this.schema.get(name)?.mutable === false);
    if (fixed) throw new InvalidParameterError(`user.${fixed}: Attribute cannot be updated.\n`);
    const required = names.find((name) => this.schema.get(name)?.required);
    if (required) {
      throw new InvalidParameterError(`user.${required}: The attribute is required.\n`);
    }
    if (client) {
      const writable = this.writable();
      if (names.some((name) => !writable.has(name))) {
        throw new NotAuthorizedError('A client attempted to write unauthorized attribute');
      }
    }
  }
}
