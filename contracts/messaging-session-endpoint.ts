/**
 * The messaging session endpoint: the host GetMessagingSessionEndpoint answers (`Endpoint.Url`),
 * where a client opens `wss://<host>/connect`. Read by the web demo (remembered, or from the
 * client config) and written into the client config by the stack (a deploy-time SDK call) and the
 * local sandbox (its own answer). One definition of what counts as such a host.
 */

/**
 * A host name, or host:port (the sandbox on loopback), as GetMessagingSessionEndpoint answers:
 * `<id>.<region>.ws-messaging.chime.aws` on AWS (Chime SDK developer guide, "Using WebSockets to
 * receive messages"). amazon-chime-sdk-js signs `wss://${Url}/connect`, so a bare host is what
 * the service gives.
 */
export const MESSAGING_SESSION_HOST =
  /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/i;

export function isMessagingSessionHost(value: string): boolean {
  return MESSAGING_SESSION_HOST.test(value);
}

/**
 * The host of `url`: a bare host as it is, or the host of a `wss://` (or `https://`) URL, whose
 * path is dropped (the session always connects at `/connect`). The API reference calls the field
 * "the endpoint to which you establish a websocket connection" without a format, so both are
 * accepted. Undefined for anything else: userinfo, a query, another scheme, an invalid host.
 */
export function messagingSessionHost(url: string): string | undefined {
  if (isMessagingSessionHost(url)) return url;
  if (!/^(wss|https):\/\//i.test(url)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) return undefined;
  return isMessagingSessionHost(parsed.host) ? parsed.host : undefined;
}
