/**
 * How the sandbox keeps passwords: never in clear. Each password becomes
 * - a scrypt hash (node:crypto, random 16-byte salt per password), for the flows that receive the
 *   password itself (USER_PASSWORD_AUTH where a client allows it, ADMIN_USER_PASSWORD_AUTH,
 *   ChangePassword's previous password);
 * - an SRP verifier (srp.ts), for USER_SRP_AUTH. The protocol needs it; it lets someone who reads
 *   the state file test guesses offline at the cost of one 3072-bit modular power each (about a
 *   millisecond), far cheaper than scrypt: the state files are readable by their owner only.
 *
 * The stored form: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, so the cost can change later.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { type PasswordVerifier, createPasswordVerifier } from './srp';

/** scrypt cost (N = 2^14, r = 8, p = 1: Node's default, ~50 ms here). */
const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

/** A user's stored credential: what replaces cognito-local's clear-text `Password` field. */
export interface StoredPassword {
  readonly hash: string;
  readonly srp: PasswordVerifier;
}

function derive(
  password: string,
  salt: Buffer,
  cost: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { ...cost, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

/** True when `password` matches `stored` (compared in constant time); false for a foreign format. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every((x) => Number.isInteger(x) && x > 0)) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), cost);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Both stored forms of a new password, for the user with this SRP id (their username). */
export async function storePassword(
  password: string,
  srpPoolName: string,
  userId: string,
): Promise<StoredPassword> {
  return {
    hash: await hashPassword(password),
    srp: createPasswordVerifier(srpPoolName, userId, password),
  };
}
