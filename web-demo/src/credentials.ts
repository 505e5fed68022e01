/**
 * The AWS credentials the Chime client signs with, as a provider *function*: the SDK (and the
 * messaging session on every reconnect) calls it, so expired credentials are replaced without a
 * reload. Two sources: the identity pool (Amplify's `fetchAuthSession`, the default) and the
 * optional STS credential-vending API.
 */
import { fetchAuthSession } from 'aws-amplify/auth';
import type { ClientConfig } from '../../contracts/client-config';
import { parseVendedCredentialsResponse } from '../../contracts/credential-vending';

export type CredentialSource = 'identityPool' | 'vending';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** What the Who-am-I panel may show: never the secret or the session token. */
export interface CredentialInfo {
  readonly source: CredentialSource;
  readonly accessKeyId: string;
  readonly expiration?: Date;
  /** The bearer the vending API says these credentials act as (vending only). */
  readonly appInstanceUserArn?: string;
}

export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** Refresh vended credentials this long before they expire. */
const EARLY_REFRESH_MS = 60_000;

export class CredentialProvider {
  private source: CredentialSource = 'identityPool';
  private vended?: { credentials: AwsCredentials; info: CredentialInfo };
  private latest?: CredentialInfo;
  private readonly listeners = new Set<(info: CredentialInfo) => void>();

  constructor(
    private readonly config: ClientConfig,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  get currentSource(): CredentialSource {
    return this.source;
  }

  get info(): CredentialInfo | undefined {
    return this.latest;
  }

  /** Switches the source; the next call fetches from it. */
  use(source: CredentialSource): void {
    if (source === 'vending' && !this.config.credentialVendingUrl) {
      throw new CredentialsError('no credential-vending API is configured (credentialVendingUrl)');
    }
    this.source = source;
    this.vended = undefined;
    this.latest = undefined;
  }

  onChange(listener: (info: CredentialInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The provider function to hand to AWS SDK clients. */
  readonly provide = async (): Promise<AwsCredentials> => {
    const credentials =
      this.source === 'vending' ? await this.fromVendingApi() : await this.fromIdentityPool();
    return credentials;
  };

  private publish(info: CredentialInfo): void {
    const changed =
      info.accessKeyId !== this.latest?.accessKeyId || info.source !== this.latest?.source;
    this.latest = info;
    if (changed) for (const listener of this.listeners) listener(info);
  }

  private async fromIdentityPool(): Promise<AwsCredentials> {
    const session = await fetchAuthSession();
    const credentials = session.credentials;
    if (!credentials) {
      throw new CredentialsError('the identity pool returned no credentials; sign in again');
    }
    this.publish({
      source: 'identityPool',
      accessKeyId: credentials.accessKeyId,
      ...(credentials.expiration && { expiration: credentials.expiration }),
    });
    return credentials;
  }

  private async fromVendingApi(): Promise<AwsCredentials> {
    const cached = this.vended;
    if (cached?.credentials.expiration) {
      if (cached.credentials.expiration.getTime() - Date.now() > EARLY_REFRESH_MS) {
        return cached.credentials;
      }
    }
    const url = this.config.credentialVendingUrl;
    if (!url) throw new CredentialsError('no credential-vending API is configured');
    // The access token: the route requires its scope and checks it with Cognito (revocation).
    const accessToken = (await fetchAuthSession()).tokens?.accessToken?.toString();
    if (!accessToken) {
      throw new CredentialsError('not signed in: no access token for the vending API');
    }
    const response = await this.fetchImpl(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const detail =
        body && typeof body === 'object' && 'message' in body
          ? String(body.message)
          : `HTTP ${response.status}`;
      throw new CredentialsError(`the credential-vending API refused: ${detail}`);
    }
    const vended = parseVendedCredentialsResponse(body);
    const credentials: AwsCredentials = {
      ...vended.credentials,
      expiration: new Date(vended.credentials.expiration),
    };
    const info: CredentialInfo = {
      source: 'vending',
      accessKeyId: credentials.accessKeyId,
      ...(credentials.expiration && { expiration: credentials.expiration }),
      appInstanceUserArn: vended.appInstanceUserArn,
    };
    this.vended = { credentials, info };
    this.publish(info);
    return credentials;
  }
}
