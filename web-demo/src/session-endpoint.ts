/**
 * The messaging session endpoint, without asking for it on sign-in. GetMessagingSessionEndpoint
 * answers a host that is fixed per account and region on AWS, so asking it on every sign-in costs
 * one request on the way to "Live". In order of choice: the host the client config carries (the
 * stack asked at deploy time, the sandbox gives its own), else the one remembered in localStorage
 * per region and AppInstance, else the service is asked (and its answer remembered). A session on
 * a configured or remembered host that fails before it opens falls back to asking the service
 * once. No library does this; it is a cache of one value with one fallback.
 */
import { isMessagingSessionHost } from '../../contracts/messaging-session-endpoint';

/** The part of `Storage` used here (tests pass a Map-backed one). */
export type EndpointStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

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
  return value !== null && isMessagingSessionHost(value) ? value : undefined;
}

export function rememberEndpoint(store: EndpointStore, key: string, host: string): void {
  if (!isMessagingSessionHost(host)) return;
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
 * Starts a session on `configured` when given (the client config's host), else on the remembered
 * endpoint when there is one, else on the one the service answers (then remembered). When a session
 * on a configured or remembered endpoint closes before it went live, a remembered one is forgotten
 * and the session is tried once more on the service's answer; every other close reaches
 * `callbacks.onClosed` (the app's reconnect policy decides what next).
 */
export function startOnSessionEndpoint(options: {
  store: EndpointStore;
  key: string;
  /** The client config's `messagingSessionEndpoint`. @default - none */
  configured?: string;
  fetchEndpoint: () => Promise<string>;
  start: (host: string, callbacks: EndpointSessionCallbacks) => EndpointSessionHandle;
  callbacks: EndpointSessionCallbacks;
}): EndpointSessionHandle {
  const { store, key, configured, fetchEndpoint, start, callbacks } = options;
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

  const remembered = configured === undefined ? rememberedEndpoint(store, key) : undefined;
  const known = configured ?? remembered;
  if (known === undefined) {
    fresh();
  } else {
    let live = false;
    current = start(known, {
      onLive() {
        live = true;
        callbacks.onLive();
      },
      onClosed(code) {
        if (live) return callbacks.onClosed(code);
        if (remembered !== undefined) forgetEndpoint(store, key);
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
