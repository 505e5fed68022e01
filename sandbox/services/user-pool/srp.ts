/**
 * SRP-6a as Cognito user pools speak it (`USER_SRP_AUTH`, then the `PASSWORD_VERIFIER` challenge):
 *
 *   group   N, g = 2: the 3072-bit group of RFC 5054 (appendix A); H = SHA-256
 *   k       = H(N | g)
 *   x       = H(salt | H(poolName | userIdForSrp | ":" | password))   poolName: the pool id after "_"
 *   v       = g^x                                     the verifier, kept with the user
 *   B       = k*v + g^b                                b: the server's random secret
 *   u       = H(A | B)
 *   S       = (A * v^u)^b = (B - k*g^x)^(a + u*x)      the shared secret, on either side
 *   key     = HKDF-SHA256(ikm S, salt u, info "Caldera Derived Key"), 16 bytes
 *   claim   = base64 HMAC-SHA256(key, poolName | userIdForSrp | SECRET_BLOCK bytes | TIMESTAMP)
 *
 * Numbers are hashed as Cognito's clients encode them (`padHex`: even-length hex, "00" in front
 * when the top bit is set), the salt included. `TIMESTAMP` is `ddd MMM D HH:mm:ss UTC YYYY`.
 *
 * Hand-written: the maintained libraries (amazon-cognito-identity-js, Amplify) are clients only,
 * and cognito-local has no SRP. The client half here serves the sandbox's own hosted UI and test
 * helpers; the tests check the server half against Amplify v6 and amazon-cognito-identity-js.
 */
import {
  constants,
  createHash,
  createHmac,
  createPublicKey,
  hkdfSync,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const N = BigInt(`0x${N_HEX}`);
export const g = 2n;
const N_BYTES = N_HEX.length / 2;
const N_JWK = Buffer.from(N_HEX, 'hex').toString('base64url');
/** Random secrets (a, b) of 256 bits, as RFC 5054 recommends at least. */
const SECRET_BYTES = 32;
const INFO = 'Caldera Derived Key';

/** Hex of a non-negative integer as Cognito's clients hash it (two's complement, no sign). */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** SHA-256 of the bytes that `hex` spells, as an integer. */
function hashOfHex(hex: string): bigint {
  return BigInt(`0x${sha256(Buffer.from(hex, 'hex')).toString('hex')}`);
}

function randomSecret(): bigint {
  return BigInt(`0x${randomBytes(SECRET_BYTES).toString('hex')}`);
}

/**
 * `base^exponent mod N`. JavaScript's bigint has no modular power and a square-and-multiply loop
 * over it costs ~8 ms here; OpenSSL's costs ~1 ms. Node exposes OpenSSL's modular power as the raw
 * RSA public-key operation (no padding): `m^e mod n` with n = N and e = the exponent.
 */
export function modPow(base: bigint, exponent: bigint): bigint {
  if (exponent === 0n) return 1n;
  const reduced = ((base % N) + N) % N;
  const e = exponent.toString(16);
  const key = createPublicKey({
    key: {
      kty: 'RSA',
      n: N_JWK,
      e: Buffer.from(e.length % 2 ? `0${e}` : e, 'hex').toString('base64url'),
    },
    format: 'jwk',
  });
  const message = Buffer.from(reduced.toString(16).padStart(N_BYTES * 2, '0'), 'hex');
  const out = publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, message);
  return BigInt(`0x${out.toString('hex')}`);
}

/** k = H(N | g) */
export const k = hashOfHex(padHex(N) + padHex(g));

/** The part of a pool id after the region (`us-east-1_AbC` -> `AbC`): Cognito's "pool name". */
export function srpPoolName(userPoolId: string): string {
  return userPoolId.split('_')[1] ?? userPoolId;
}

/** x = H(salt | H(poolName | userId | ":" | password)) */
function privateValue(salt: string, poolName: string, userId: string, password: string): bigint {
  const inner = sha256(`${poolName}${userId}:${password}`).toString('hex');
  return hashOfHex(padHex(BigInt(`0x${salt}`)) + inner);
}

export interface PasswordVerifier {
  /** Hex, as sent in the challenge's `SALT`. */
  readonly salt: string;
  /** v = g^x, hex. */
  readonly verifier: string;
}

/** What the pool keeps for a password, so that it can answer SRP sign-ins (never the password). */
export function createPasswordVerifier(
  poolName: string,
  userId: string,
  password: string,
): PasswordVerifier {
  const salt = BigInt(`0x${randomBytes(16).toString('hex')}`).toString(16);
  const x = privateValue(salt, poolName, userId, password);
  return { salt, verifier: modPow(g, x).toString(16) };
}

/** u = H(A | B) */
function scrambler(A: bigint, B: bigint): bigint {
  return hashOfHex(padHex(A) + padHex(B));
}

/** The 16-byte key both sides derive from S and u. */
function claimKey(S: bigint, u: bigint): Buffer {
  const ikm = Buffer.from(padHex(S), 'hex');
  const salt = Buffer.from(padHex(u), 'hex');
  return Buffer.from(hkdfSync('sha256', ikm, salt, INFO, 16));
}

function claimSignature(
  key: Buffer,
  poolName: string,
  userId: string,
  secretBlock: string,
  timestamp: string,
): Buffer {
  return createHmac('sha256', key)
    .update(poolName)
    .update(userId)
    .update(Buffer.from(secretBlock, 'base64'))
    .update(timestamp)
    .digest();
}

/** Parses an SRP public value (hex), refusing what SRP-6a refuses (0 mod N). */
export function parsePublicValue(hex: unknown): bigint | undefined {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{1,2048}$/.test(hex)) return undefined;
  const value = BigInt(`0x${hex}`);
  return value % N === 0n ? undefined : value;
}

/** The server's half of one PASSWORD_VERIFIER challenge. */
export interface ServerChallenge {
  /** The server's secret b, hex (kept in the sign-in session, never sent). */
  readonly b: string;
  /** B, hex: the challenge's `SRP_B`. */
  readonly B: string;
}

/** B = k*v + g^b, for the verifier of the user signing in. */
export function startServerChallenge(verifier: string): ServerChallenge {
  const v = BigInt(`0x${verifier}`);
  for (;;) {
    const b = randomSecret();
    const B = (k * v + modPow(g, b)) % N;
    if (B !== 0n) return { b: b.toString(16), B: B.toString(16) };
  }
}

export interface PasswordClaim {
  readonly poolName: string;
  readonly userId: string;
  /** The client's A, hex (from InitiateAuth). */
  readonly A: string;
  readonly challenge: ServerChallenge;
  readonly verifier: string;
  readonly secretBlock: string;
  readonly timestamp: string;
  /** `PASSWORD_CLAIM_SIGNATURE`, base64. */
  readonly signature: string;
}

/** True when the signature proves knowledge of the password (compared in constant time). */
export function verifyPasswordClaim(claim: PasswordClaim): boolean {
  const A = BigInt(`0x${claim.A}`);
  const B = BigInt(`0x${claim.challenge.B}`);
  const u = scrambler(A, B);
  if (u === 0n) return false;
  const v = BigInt(`0x${claim.verifier}`);
  const S = modPow(A * modPow(v, u), BigInt(`0x${claim.challenge.b}`));
  const expected = claimSignature(
    claimKey(S, u),
    claim.poolName,
    claim.userId,
    claim.secretBlock,
    claim.timestamp,
  );
  const given = Buffer.from(claim.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIMESTAMP =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d) UTC (\d{4})$/;

/** `ddd MMM D HH:mm:ss UTC YYYY`, the `TIMESTAMP` Cognito's clients send (day not padded). */
export function formatTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ` +
    `UTC ${date.getUTCFullYear()}`
  );
}

/** The instant a `TIMESTAMP` names, if it is in the canonical form (weekday included). */
export function parseTimestamp(text: unknown): Date | undefined {
  const m = typeof text === 'string' ? TIMESTAMP.exec(text) : null;
  if (!m) return undefined;
  const [, weekday, month, day, hh, mm, ss, year] = m;
  const date = new Date(
    Date.UTC(Number(year), MONTHS.indexOf(month!), Number(day), Number(hh), Number(mm), Number(ss)),
  );
  // Rejects 31 Feb and a weekday that is not the date's.
  if (date.getUTCDate() !== Number(day) || WEEKDAYS[date.getUTCDay()] !== weekday) return undefined;
  return date;
}

/**
 * The client's half, for the sandbox's own callers (its hosted UI, test helpers): `A` for
 * InitiateAuth, then the PASSWORD_VERIFIER answer to the challenge parameters.
 */
export class SrpClient {
  private readonly a = randomSecret();
  /** A = g^a, hex: `AuthParameters.SRP_A`. */
  readonly A = modPow(g, this.a).toString(16);

  constructor(private readonly userPoolId: string) {}

  /**
   * `ChallengeResponses` for the PASSWORD_VERIFIER challenge; `timestamp` is signed and sent as
   * `TIMESTAMP` (default: now, in Cognito's form).
   */
  respond(
    parameters: Record<string, string | undefined>,
    password: string,
    timestamp = formatTimestamp(new Date()),
  ): Record<string, string> {
    const { SALT: salt, SRP_B: srpB, SECRET_BLOCK: secretBlock } = parameters;
    const userId = parameters.USER_ID_FOR_SRP;
    const B = parsePublicValue(srpB);
    if (!salt || !B || !secretBlock || !userId) {
      throw new Error('the PASSWORD_VERIFIER challenge lacks SALT, SRP_B, SECRET_BLOCK or user');
    }
    const A = BigInt(`0x${this.A}`);
    const u = scrambler(A, B);
    if (u === 0n) throw new Error('SRP scrambler u is 0');
    const poolName = srpPoolName(this.userPoolId);
    const x = privateValue(salt, poolName, userId, password);
    const S = modPow(B - k * modPow(g, x), this.a + u * x);
    return {
      USERNAME: userId,
      PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
      TIMESTAMP: timestamp,
      PASSWORD_CLAIM_SIGNATURE: claimSignature(
        claimKey(S, u),
        poolName,
        userId,
        secretBlock,
        timestamp,
      ).toString('base64'),
    };
  }
}
