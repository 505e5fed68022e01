/** Small display helpers. Pure, unit-tested in Node. */

/** "12:03" / "1:02:03" until `expiresAt`; "expired" once past. */
export function countdown(expiresAt: Date, now: Date): string {
  const total = Math.floor((expiresAt.getTime() - now.getTime()) / 1000);
  if (total <= 0) return 'expired';
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** Chime SDK (on AWS) signs `wss://`; the sandbox serves plain `ws://` on loopback only. */
export function websocketUrl(signedUrl: string, messagingEndpoint: string | undefined): string {
  if (!messagingEndpoint?.startsWith('http://')) return signedUrl;
  const url = new URL(signedUrl);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'wss:' || !loopback) return signedUrl;
  return 'ws://' + signedUrl.slice('wss://'.length);
}

/** Removes signature material from text the Chime SDK logs (it logs the presigned URL). */
export function redactSigned(text: string): string {
  return text.replace(/(X-Amz-(?:Security-Token|Signature|Credential)=)[^&\s]*/gi, '$1<redacted>');
}
