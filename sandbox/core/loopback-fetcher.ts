import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { type Fetcher, SimpleFetcher } from 'aws-jwt-verify/https';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * aws-jwt-verify's fetcher only speaks https (rightly). The sandbox's local OpenID provider serves
 * its discovery document and JWKS over plain http on loopback, so that one case is fetched here;
 * everything else goes to the library's fetcher.
 */
export class LoopbackHttpFetcher implements Fetcher {
  private readonly https: Fetcher;

  constructor(https: Fetcher = new SimpleFetcher()) {
    this.https = https;
  }

  async fetch(
    uri: string,
    requestOptions?: Record<string, unknown>,
    data?: ArrayBuffer,
  ): Promise<ArrayBuffer> {
    const url = new URL(uri);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
      return this.https.fetch(uri, requestOptions, data);
    }
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    } catch (err) {
      throw new FetchError(uri, err instanceof Error ? err.message : String(err));
    }
    if (!response.ok) throw new NonRetryableFetchError(uri, `status ${response.status}`);
    return response.arrayBuffer();
  }
}
