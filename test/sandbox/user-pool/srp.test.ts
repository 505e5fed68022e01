/**
 * The SRP math of the sandbox user pool (sandbox/services/user-pool/srp.ts), without a server: the modular
 * power through OpenSSL agrees with plain bigint arithmetic, values are hashed as Cognito's clients
 * pad them, a claim proves the password and nothing else, TIMESTAMP is read strictly. The
 * interplay with real clients (Amplify, amazon-cognito-identity-js) is in sign-in.test.ts and
 * ../amplify.test.ts.
 */
import { randomBytes } from 'node:crypto';
import {
  N,
  SrpClient,
  createPasswordVerifier,
  formatTimestamp,
  g,
  modPow,
  padHex,
  parsePublicValue,
  parseTimestamp,
  srpPoolName,
  startServerChallenge,
  verifyPasswordClaim,
} from '../../../sandbox/services/user-pool/srp';

/** Square-and-multiply over bigint: slow, obviously right. */
function reference(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = ((base % N) + N) % N;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % N;
    b = (b * b) % N;
  }
  return result;
}

const random = (bytes: number) => BigInt(`0x${randomBytes(bytes).toString('hex')}`);

describe('modPow', () => {
  it('agrees with square-and-multiply, small and large, negative bases included', () => {
    const cases: [bigint, bigint][] = [
      [g, 0n],
      [g, 1n],
      [g, 2n],
      [N - 1n, 2n],
      [0n, 5n],
      [-12345n, 3n],
      [random(384), 65537n],
      ...Array.from({ length: 5 }, (): [bigint, bigint] => [random(400), random(32)]),
      [random(384), random(64)],
    ];
    for (const [base, exponent] of cases) {
      expect(modPow(base, exponent)).toBe(reference(base, exponent));
    }
  });
});

describe('encoding', () => {
  it('pads hex as Cognito clients do: even length, 00 before a set top bit', () => {
    expect(padHex(0x1n)).toBe('01');
    expect(padHex(0x7fn)).toBe('7f');
    expect(padHex(0x80n)).toBe('0080');
    expect(padHex(0xabcn)).toBe('0abc');
    expect(padHex(N).startsWith('00ff')).toBe(true);
  });

  it('takes the pool name after the region', () => {
    expect(srpPoolName('us-east-1_AbC123')).toBe('AbC123');
  });

  it('refuses public values that are 0 mod N or not hex', () => {
    expect(parsePublicValue(N.toString(16))).toBeUndefined();
    expect(parsePublicValue('0')).toBeUndefined();
    expect(parsePublicValue('xyz')).toBeUndefined();
    expect(parsePublicValue(42)).toBeUndefined();
    expect(parsePublicValue('0abc')).toBe(0xabcn);
  });
});

describe('TIMESTAMP', () => {
  it('formats as ddd MMM D HH:mm:ss UTC YYYY, the day not padded', () => {
    expect(formatTimestamp(new Date('2023-09-05T07:03:02Z'))).toBe('Tue Sep 5 07:03:02 UTC 2023');
    expect(formatTimestamp(new Date('2026-12-24T23:59:09Z'))).toBe('Thu Dec 24 23:59:09 UTC 2026');
  });

  it('parses only that form, with the right weekday', () => {
    expect(parseTimestamp('Tue Sep 5 07:03:02 UTC 2023')?.toISOString()).toBe(
      '2023-09-05T07:03:02.000Z',
    );
    expect(parseTimestamp('Tue Sep 05 07:03:02 UTC 2023')).toBeUndefined();
    expect(parseTimestamp('Mon Sep 5 07:03:02 UTC 2023')).toBeUndefined();
    expect(parseTimestamp('Tue Feb 31 07:03:02 UTC 2023')).toBeUndefined();
    expect(parseTimestamp('2023-09-05T07:03:02Z')).toBeUndefined();
    expect(parseTimestamp(undefined)).toBeUndefined();
  });
});

describe('password claim', () => {
  const poolId = 'us-east-1_TestPool1';
  const poolName = srpPoolName(poolId);
  const userId = '5f1c0c4e-1111-4222-8333-444455556666';
  const password = 'Sandbox-Passw0rd!';
  const secretBlock = randomBytes(64).toString('base64');

  function attempt(typed: string, stored = password, timestamp?: string) {
    const { salt, verifier } = createPasswordVerifier(poolName, userId, stored);
    const challenge = startServerChallenge(verifier);
    const client = new SrpClient(poolId);
    const answer = client.respond(
      { SALT: salt, SRP_B: challenge.B, SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: userId },
      typed,
      timestamp,
    );
    const claim = {
      poolName,
      userId,
      A: client.A,
      challenge,
      verifier,
      secretBlock: answer.PASSWORD_CLAIM_SECRET_BLOCK!,
      timestamp: answer.TIMESTAMP!,
      signature: answer.PASSWORD_CLAIM_SIGNATURE!,
    };
    return { claim, verified: verifyPasswordClaim(claim) };
  }

  it('verifies with the right password only', () => {
    expect(attempt(password).verified).toBe(true);
    expect(attempt('Sandbox-Passw0rd?').verified).toBe(false);
    expect(attempt(password, 'Another-Passw0rd!').verified).toBe(false);
  });

  it('binds the claim to the secret block, the timestamp, the user and the challenge', () => {
    const { claim } = attempt(password);
    expect(verifyPasswordClaim(claim)).toBe(true);
    expect(verifyPasswordClaim({ ...claim, secretBlock: randomBytes(64).toString('base64') })).toBe(
      false,
    );
    expect(verifyPasswordClaim({ ...claim, timestamp: formatTimestamp(new Date(0)) })).toBe(false);
    expect(verifyPasswordClaim({ ...claim, userId: 'someone-else' })).toBe(false);
    expect(verifyPasswordClaim({ ...claim, challenge: startServerChallenge(claim.verifier) })).toBe(
      false,
    );
    expect(verifyPasswordClaim({ ...claim, signature: 'AAAA' })).toBe(false);
  });

  it('keeps a salt and a verifier, never the password, and a new salt each time', () => {
    const one = createPasswordVerifier(poolName, userId, password);
    const two = createPasswordVerifier(poolName, userId, password);
    expect(one.salt).not.toBe(two.salt);
    expect(one.verifier).not.toBe(two.verifier);
    expect(JSON.stringify(one)).not.toContain(password);
  });
});
