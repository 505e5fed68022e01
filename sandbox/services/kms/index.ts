/**
 * AWS KMS in the sandbox (awsJson1.1, `X-Amz-Target: TrentService.<Operation>`), for the
 * template's asymmetric signing keys (the guest invite key): `Sign`, `Verify` and `GetPublicKey`,
 * as the KMS API reference describes them.
 *
 * Each `AWS::KMS::Key` with `KeyUsage: SIGN_VERIFY` and `KeySpec: ECC_NIST_P256` gets a P-256 key
 * pair, made at the first start and kept in the state directory (`kms-keys.json`, mode 0600 like
 * every store; on AWS the private key never leaves the HSM). Every call is SigV4-verified and
 * decided as KMS decides: the key policy (the template's, as the resource policy) and the caller's
 * role policies; with CDK's default key policy (the account root) the role policy must allow
 * `kms:<Operation>` on the key ARN.
 *
 * Not modelled: other key specs and usages, aliases, grants, `DIGEST` messages (Node has no
 * ECDSA-over-a-digest API), key states (disabled, pending deletion), `DryRun`.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { AwsError } from '../../core/errors';
import type { JsonStore } from '../../core/state';
import { resourcesOfType } from '../../cloudformation/template';
import { type PolicyDocument } from '../../iam/roles';
import type { SandboxResources } from '../../resources';
import type { SandboxContext, SandboxRequest, ServiceModule } from '../../server';

const TARGET_PREFIX = 'TrentService.';
const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.1' };
/** The one algorithm an ECC_NIST_P256 key signs with. */
const SIGNING_ALGORITHM = 'ECDSA_SHA_256';
/** RAW messages are at most 4096 bytes (Sign and Verify `Message`). */
const MAX_MESSAGE_BYTES = 4096;

interface SandboxKey {
  readonly keyId: string;
  readonly arn: string;
  readonly keySpec: string;
  readonly keyUsage: string;
  /** The key policy: KMS allows a call only if it allows it too (directly, or via the account). */
  readonly keyPolicy: PolicyDocument;
}

interface KeyStore {
  /** Key ARN -> PKCS#8 PEM private key. */
  privateKeys: Record<string, string>;
}

function validation(message: string): AwsError {
  return new AwsError('ValidationException', message, 400);
}

/** The template's KMS keys, with their sandbox ids and ARNs. */
export function kmsKeysOf(resources: SandboxResources): SandboxKey[] {
  return resourcesOfType(resources.stack.template, 'AWS::KMS::Key').map((logicalId) => {
    const properties = resources.properties(logicalId);
    const physical = resources.env.resources[logicalId];
    return {
      keyId: physical?.attributes.KeyId ?? logicalId,
      arn: physical?.attributes.Arn ?? logicalId,
      keySpec: typeof properties.KeySpec === 'string' ? properties.KeySpec : 'SYMMETRIC_DEFAULT',
      keyUsage: typeof properties.KeyUsage === 'string' ? properties.KeyUsage : 'ENCRYPT_DECRYPT',
      keyPolicy: properties.KeyPolicy as PolicyDocument,
    };
  });
}

function blob(value: unknown, name: string): Buffer {
  if (typeof value !== 'string' || value === '') throw validation(`${name} is required.`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0) throw validation(`${name} must be base64.`);
  return bytes;
}

export function kmsModule(): ServiceModule {
  return {
    name: 'kms',
    register(router, ctx: SandboxContext) {
      const keys = kmsKeysOf(ctx.resources);
      if (keys.length === 0) return;
      const store: JsonStore<KeyStore> = ctx.state.store('kms-keys', () => ({ privateKeys: {} }));
      // Key pairs for the signing keys: made once, kept across restarts.
      for (const key of keys) {
        if (key.keyUsage !== 'SIGN_VERIFY' || key.keySpec !== 'ECC_NIST_P256') {
          ctx.log(`warning: KMS key ${key.arn} (${key.keySpec}, ${key.keyUsage}) is not served`);
          continue;
        }
        if (store.get().privateKeys[key.arn]) continue;
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
        store.update((s) => {
          s.privateKeys[key.arn] = pem;
        });
      }

      /** The key a request names (id or ARN), authorized for the operation, and its private key. */
      const keyFor = async (req: SandboxRequest, operation: string) => {
        const caller = await ctx.authenticate(req, { service: 'kms', protocol: 'json' });
        const keyId = req.json.KeyId;
        if (typeof keyId !== 'string' || keyId === '') throw validation('KeyId is required.');
        const key = keys.find((k) => k.keyId === keyId || k.arn === keyId);
        if (!key) throw new AwsError('NotFoundException', `Key '${keyId}' does not exist`, 400);
        await ctx.authorize(caller, {
          action: `kms:${operation}`,
          resource: key.arn,
          protocol: 'json',
          resourcePolicy: key.keyPolicy,
        });
        const pem = store.get().privateKeys[key.arn];
        if (!pem) {
          throw new AwsError(
            'UnsupportedOperationException',
            `The sandbox serves only ECC_NIST_P256 signing keys; ${key.arn} is ${key.keySpec}`,
            400,
          );
        }
        return { key, privateKey: createPrivateKey(pem) };
      };

      const signingInput = (req: SandboxRequest) => {
        if (req.json.SigningAlgorithm !== SIGNING_ALGORITHM) {
          throw new AwsError(
            'InvalidKeyUsageException',
            `The key does not support the signing algorithm ${String(req.json.SigningAlgorithm)}; it supports ${SIGNING_ALGORITHM}`,
            400,
          );
        }
        const messageType = req.json.MessageType ?? 'RAW';
        if (messageType !== 'RAW') {
          throw validation(
            `MessageType ${JSON.stringify(messageType)} is not served by the sandbox (RAW only).`,
          );
        }
        const message = blob(req.json.Message, 'Message');
        if (message.length > MAX_MESSAGE_BYTES) {
          throw validation(`Message must be at most ${MAX_MESSAGE_BYTES} bytes.`);
        }
        return message;
      };

      router.jsonTarget(`${TARGET_PREFIX}Sign`, async (req) => {
        const { key, privateKey } = await keyFor(req, 'Sign');
        const message = signingInput(req);
        const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
        return {
          headers: JSON_HEADERS,
          body: {
            KeyId: key.arn,
            Signature: signature.toString('base64'),
            SigningAlgorithm: SIGNING_ALGORITHM,
          },
        };
      });

      router.jsonTarget(`${TARGET_PREFIX}Verify`, async (req) => {
        const { key, privateKey } = await keyFor(req, 'Verify');
        const message = signingInput(req);
        const signature = blob(req.json.Signature, 'Signature');
        const valid = verify(
          'sha256',
          message,
          { key: createPublicKey(privateKey), dsaEncoding: 'der' },
          signature,
        );
        if (!valid) {
          throw new AwsError('KMSInvalidSignatureException', 'The signature is not valid.', 400);
        }
        return {
          headers: JSON_HEADERS,
          body: { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: SIGNING_ALGORITHM },
        };
      });

      router.jsonTarget(`${TARGET_PREFIX}GetPublicKey`, async (req) => {
        const { key, privateKey } = await keyFor(req, 'GetPublicKey');
        const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
        return {
          headers: JSON_HEADERS,
          body: {
            KeyId: key.arn,
            PublicKey: spki.toString('base64'),
            CustomerMasterKeySpec: key.keySpec,
            KeySpec: key.keySpec,
            KeyUsage: key.keyUsage,
            SigningAlgorithms: [SIGNING_ALGORITHM],
          },
        };
      });
    },
  };
}
