/**
 * The messaging session endpoint, remembered between sign-ins. GetMessagingSessionEndpoint answers
 * a host that is fixed per account and region on AWS, so asking it on every sign-in costs one
 * request on the way to "Live". It is remembered in localStorage per region and AppInstance, used
 * straight away, and asked for again only when a session on the remembered one fails before it
 * opens (the local sandbox answers a new host every run). No library does this; it is a cache of
 * one value with one fallback.
 */

/** The part of `Storage` used here (tests pass a Map-backed one). */
export type EndpointStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** What GetMessagingSessionEndpoint answers: a host name, or host:port (sandbox on loopback). */
const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/i;

export function sessionEndpointKey(region: string, appInstanceArn: string): string {
  return `chime-chat:session-endpoint:${region}:${appInstanceArn}`;
}

/** The remembered host, or undefined when none, or what is stored is not a host. */
export function rememberedEndpoint(store: EndpointStore, key: string): string | undefined {
  let value: string | null;
  try {
    value = store.getItem(key);
  } catch {
    return undefined; // storage blocked (private mode, policy): ask the service
  }
  return value !== null && HOST.test(value) ? value : undefined;
}

export function rememberEndpoint(store: EndpointStore, key: string, host: string): void {
  if (!HOST.test(host)) return;
  try {
    store.setItem(key, host);
  } catch {
    // Storage full or blocked: the next sign-in asks the service again.
  }
}

export function forgetEndpoint(store: EndpointStore, key: string): void {
  try {
    store.removeItem(key);
  } catch {
    // Nothing remembered that could be used.
  }
}

export interface EndpointSessionCallbacks {
  onLive(): void;
  onClosed(code: number | undefined): void;
}

export interface EndpointSessionHandle {
  stop(): void;
}

/**
 * Starts a session on the remembered endpoint when there is one, else on the one the service
 * answers (then remembered). When a session on a remembered endpoint closes before it went live,
 * the endpoint is forgotten and the session is tried once more on the service's answer; every
 * other close reaches `callbacks.onClosed` (the app's reconnect policy decides what next).
 */
export function startOnSessionEndpoint(options: {
  store: EndpointStore;
  key: string;
  fetchEndpoint: () => Promise<string>;
  start: (host: string, callbacks: EndpointSessionCallbacks) => EndpointSessionHandle;
  callbacks: EndpointSessionCallbacks;
}): EndpointSessionHandle {
  const { store, key, fetchEndpoint, start, callbacks } = options;
  let stopped = false;
  let current: EndpointSessionHandle | undefined;

  const fresh = (): void => {
    fetchEndpoint().then(
      (host) => {
        if (stopped) return;
        rememberEndpoint(store, key, host);
        current = start(host, callbacks);
      },
      () => !stopped && callbacks.onClosed(undefined),
    );
  };

  const remembered = rememberedEndpoint(store, key);
  if (remembered === undefined) {
    fresh();
  } else {
    let live = false;
    current = start(remembered, {
      onLive() {
        live = true;
        callbacks.onLive();
      },
      onClosed(code) {
        if (live) return callbacks.onClosed(code);
        forgetEndpoint(store, key);
        if (!stopped) fresh();
      },
    });
  }
  return {
    stop() {
      stopped = true;
      current?.stop();
    },
  };
}
