/**
 * Request bodies under a size limit, enforced while they stream in: never more than the limit is
 * buffered, whatever the client declares or sends (a web page can post hundreds of megabytes).
 */
import type { IncomingMessage } from 'node:http';

/**
 * The request body, or undefined when it is larger than `limit`: then nothing more is buffered
 * (the rest is read and dropped, so the answer still reaches the client). A declared
 * Content-Length over the limit is refused before reading anything.
 */
export function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      // Flowing with no data listener: the rest of the body is discarded as it arrives.
      req.resume();
      resolve(undefined);
    };
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('error', reject);
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      tooLarge();
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
  });
}
