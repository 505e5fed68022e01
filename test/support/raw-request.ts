/**
 * One HTTP(S) request with full control of the headers (fetch refuses to set `Host`) and the
 * whole answer collected: for tests of what the sandbox answers at the HTTP level.
 */
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { type RequestOptions, request as httpsRequest } from 'node:https';

export interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RawRequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** TLS options of an https URL (e.g. the `ca` to trust). */
  readonly tls?: Pick<RequestOptions, 'ca' | 'checkServerIdentity'>;
}

export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawReply> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, ...options.tls },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
