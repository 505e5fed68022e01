/**
 * KMS in the sandbox: the template's ECC_NIST_P256 signing key (the guest invite key) signs and
 * verifies as KMS does (DER ECDSA over SHA-256 of the raw message), its public key is a P-256
 * SubjectPublicKeyInfo, and every call is authorized by the caller's role policy together with the
 * key policy: the invite function may only Sign, the redeem function only GetPublicKey.
 */
import { createPublicKey, verify } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { resourcesOfType } from '../../sandbox/cloudformation/template';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';

let sandbox: TestSandbox;
let keyArn: string;

function clientFor(roleArn?: string): KMSClient {
  const credentials = roleArn
    ? sandbox.credentials.issue({
        roleArn,
        roleSessionName: 'kms-test',
        durationSeconds: 900,
        issuedBy: 'kms test',
      })
    : { ...sandbox.adminCredentials, expiration: Date.parse(sandbox.adminCredentials.expiration) };
  return new KMSClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: { ...credentials, expiration: new Date(credentials.expiration) },
  });
}

function roleOfFunction(part: string): string {
  const { resources } = sandbox;
  const id = resourcesOfType(resources.stack.template, 'AWS::Lambda::Function').find((f) =>
    f.includes(part),
  )!;
  return String(resources.properties(id).Role);
}

const sign = (kms: KMSClient, message: Uint8Array, extra: object = {}) =>
  kms.send(
    new SignCommand({
      KeyId: keyArn,
      Message: message,
      MessageType: 'RAW',
      SigningAlgorithm: 'ECDSA_SHA_256',
      ...extra,
    }),
  );

async function errorName(call: Promise<unknown>): Promise<string | undefined> {
  return call.then(
    () => undefined,
    (e: unknown) => (e as Error).name,
  );
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const id = resourcesOfType(sandbox.resources.stack.template, 'AWS::KMS::Key')[0]!;
  keyArn = sandbox.resources.env.resources[id]!.attributes.Arn!;
}, 180_000);
afterAll(async () => {
  await sandbox?.stop();
});

test('Sign answers a DER ECDSA signature the public key verifies; Verify agrees; a changed message does not verify', async () => {
  const kms = clientFor();
  const message = Buffer.from('header.payload');
  const signed = await sign(kms, message);
  expect(signed.KeyId).toBe(keyArn);
  const { PublicKey, KeySpec, KeyUsage, SigningAlgorithms } = await kms.send(
    new GetPublicKeyCommand({ KeyId: keyArn }),
  );
  expect({ KeySpec, KeyUsage, SigningAlgorithms }).toEqual({
    KeySpec: 'ECC_NIST_P256',
    KeyUsage: 'SIGN_VERIFY',
    SigningAlgorithms: ['ECDSA_SHA_256'],
  });
  const publicKey = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
  expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signed.Signature!)).toBe(
    true,
  );
  const verified = await kms.send(
    new VerifyCommand({
      KeyId: keyArn,
      Message: message,
      Signature: signed.Signature,
      SigningAlgorithm: 'ECDSA_SHA_256',
    }),
  );
  expect(verified.SignatureValid).toBe(true);
  expect(
    await errorName(
      kms.send(
        new VerifyCommand({
          KeyId: keyArn,
          Message: Buffer.from('header.changed'),
          Signature: signed.Signature,
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ),
  ).toBe('KMSInvalidSignatureException');
  kms.destroy();
});

test('the key survives a restart: the same public key from the same state directory', async () => {
  const kms = clientFor();
  const before = (await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }))).PublicKey;
  kms.destroy();
  const again = await startTestSandbox({ stateDir: sandbox.stateDir });
  const kms2 = new KMSClient({
    region: again.config.region,
    endpoint: again.url,
    credentials: {
      ...again.adminCredentials,
      expiration: new Date(again.adminCredentials.expiration),
    },
  });
  const after = (await kms2.send(new GetPublicKeyCommand({ KeyId: keyArn }))).PublicKey;
  kms2.destroy();
  await again.stop();
  expect(Buffer.from(after!).equals(Buffer.from(before!))).toBe(true);
});

test('bad requests: unknown key, another algorithm, DIGEST messages, over 4096 bytes', async () => {
  const kms = clientFor();
  expect(
    await errorName(
      kms.send(
        new SignCommand({
          KeyId: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000',
          Message: Buffer.from('x'),
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ),
  ).toBe('NotFoundException');
  expect(
    await errorName(sign(kms, Buffer.from('x'), { SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
  ).toBe('InvalidKeyUsageException');
  expect(await errorName(sign(kms, Buffer.alloc(32), { MessageType: 'DIGEST' }))).toBe(
    'ValidationException',
  );
  expect(await errorName(sign(kms, Buffer.alloc(4097)))).toBe('ValidationException');
  kms.destroy();
});

test('role policy AND key policy: the invite function signs but cannot read the key; the redeem function reads the public key but cannot sign', async () => {
  const invite = clientFor(roleOfFunction('GuestInvite'));
  const redeem = clientFor(roleOfFunction('GuestCredentials'));
  const people = clientFor(roleOfFunction('UsersLookup'));
  await sign(invite, Buffer.from('x'));
  expect(await errorName(invite.send(new GetPublicKeyCommand({ KeyId: keyArn })))).toBe(
    'AccessDeniedException',
  );
  await redeem.send(new GetPublicKeyCommand({ KeyId: keyArn }));
  expect(await errorName(sign(redeem, Buffer.from('x')))).toBe('AccessDeniedException');
  expect(await errorName(sign(people, Buffer.from('x')))).toBe('AccessDeniedException');
  for (const c of [invite, redeem, people]) c.destroy();
});
