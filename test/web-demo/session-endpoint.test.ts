import {
  type EndpointSessionCallbacks,
  type EndpointStore,
  forgetEndpoint,
  rememberEndpoint,
  rememberedEndpoint,
  sessionEndpointKey,
  startOnSessionEndpoint,
} from '../../web-demo/src/session-endpoint';

const APP =
  'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
const KEY = sessionEndpointKey('us-east-1', APP);

function memoryStore(): EndpointStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A fake session starter: records the hosts tried and lets the test open or close each. */
function sessions() {
  const started: { host: string; callbacks: EndpointSessionCallbacks; stopped: boolean }[] = [];
  return {
    started,
    start: (host: string, callbacks: EndpointSessionCallbacks) => {
      const entry = { host, callbacks, stopped: false };
      started.push(entry);
      return { stop: () => void (entry.stopped = true) };
    },
  };
}

test('the key names the region and the AppInstance', () => {
  expect(sessionEndpointKey('eu-west-1', APP)).not.toBe(KEY);
  expect(sessionEndpointKey('us-east-1', `${APP}x`)).not.toBe(KEY);
});

test('remembers hosts only; anything else stored reads as nothing', () => {
  const store = memoryStore();
  rememberEndpoint(store, KEY, 'node001.ue1.ws-messaging.chime.aws');
  expect(rememberedEndpoint(store, KEY)).toBe('node001.ue1.ws-messaging.chime.aws');
  rememberEndpoint(store, KEY, '127.0.0.1:4631');
  expect(rememberedEndpoint(store, KEY)).toBe('127.0.0.1:4631');
  for (const bad of ['wss://evil.example/x', 'a b', '', 'host:99999999', 'javascript:alert(1)']) {
    store.map.set(KEY, bad);
    expect(rememberedEndpoint(store, KEY)).toBeUndefined();
    store.map.set(KEY, 'good.example');
    rememberEndpoint(store, KEY, bad);
    expect(store.map.get(KEY)).toBe('good.example'); // a bad answer is never stored
  }
  forgetEndpoint(store, KEY);
  expect(store.map.has(KEY)).toBe(false);
});

test('blocked storage: nothing remembered, nothing thrown', () => {
  const blocked: EndpointStore = {
    getItem: () => {
      throw new Error('SecurityError');
    },
    setItem: () => {
      throw new Error('QuotaExceededError');
    },
    removeItem: () => {
      throw new Error('SecurityError');
    },
  };
  expect(rememberedEndpoint(blocked, KEY)).toBeUndefined();
  expect(() => rememberEndpoint(blocked, KEY, 'h.example')).not.toThrow();
  expect(() => forgetEndpoint(blocked, KEY)).not.toThrow();
});

test('nothing remembered: asks the service, remembers its answer, connects there', async () => {
  const store = memoryStore();
  const fake = sessions();
  const fetchEndpoint = jest.fn(() => Promise.resolve('fresh.example:443'));
  const onLive = jest.fn();
  startOnSessionEndpoint({
    store,
    key: KEY,
    fetchEndpoint,
    start: fake.start,
    callbacks: { onLive, onClosed: jest.fn() },
  });
  await flush();
  expect(fake.started.map((s) => s.host)).toEqual(['fresh.example:443']);
  expect(store.map.get(KEY)).toBe('fresh.example:443');
  fake.started[0]?.callbacks.onLive();
  expect(onLive).toHaveBeenCalledTimes(1);
});

test('remembered: connects at once, without asking the service', () => {
  const store = memoryStore();
  store.map.set(KEY, 'known.example');
  const fake = sessions();
  const fetchEndpoint = jest.fn(() => Promise.resolve('fresh.example'));
  startOnSessionEndpoint({
    store,
    key: KEY,
    fetchEndpoint,
    start: fake.start,
    callbacks: { onLive: jest.fn(), onClosed: jest.fn() },
  });
  expect(fake.started.map((s) => s.host)).toEqual(['known.example']);
  expect(fetchEndpoint).not.toHaveBeenCalled();
});

test('a stale remembered endpoint: forgotten, the service asked, tried once more there', async () => {
  const store = memoryStore();
  store.map.set(KEY, 'stale.example');
  const fake = sessions();
  const onClosed = jest.fn();
  const onLive = jest.fn();
  startOnSessionEndpoint({
    store,
    key: KEY,
    fetchEndpoint: () => Promise.resolve('fresh.example'),
    start: fake.start,
    callbacks: { onLive, onClosed },
  });
  fake.started[0]?.callbacks.onClosed(1006);
  expect(onClosed).not.toHaveBeenCalled();
  await flush();
  expect(fake.started.map((s) => s.host)).toEqual(['stale.example', 'fresh.example']);
  expect(store.map.get(KEY)).toBe('fresh.example');
  // The fresh one failing too is the app's to handle (once only: no loop).
  fake.started[1]?.callbacks.onClosed(1006);
  await flush();
  expect(onClosed).toHaveBeenCalledWith(1006);
  expect(fake.started).toHaveLength(2);
});

test('a remembered endpoint that went live and later closed is kept; the close is reported', () => {
  const store = memoryStore();
  store.map.set(KEY, 'known.example');
  const fake = sessions();
  const onClosed = jest.fn();
  startOnSessionEndpoint({
    store,
    key: KEY,
    fetchEndpoint: () => Promise.resolve('fresh.example'),
    start: fake.start,
    callbacks: { onLive: jest.fn(), onClosed },
  });
  fake.started[0]?.callbacks.onLive();
  fake.started[0]?.callbacks.onClosed(4999);
  expect(onClosed).toHaveBeenCalledWith(4999);
  expect(store.map.get(KEY)).toBe('known.example');
});

test('the service failing to answer is a close without a code; stop ends the session', async () => {
  const store = memoryStore();
  const fake = sessions();
  const onClosed = jest.fn();
  startOnSessionEndpoint({
    store,
    key: KEY,
    fetchEndpoint: () => Promise.reject(new Error('network')),
    start: fake.start,
    callbacks: { onLive: jest.fn(), onClosed },
  });
  await flush();
  expect(onClosed).toHaveBeenCalledWith(undefined);
  expect(fake.started).toHaveLength(0);

  store.map.set(KEY, 'known.example');
  const handle = startOnSessionEndpoint({
    store,
    key: KEY,
    fetchEndpoint: () => Promise.resolve('fresh.example'),
    start: fake.start,
    callbacks: { onLive: jest.fn(), onClosed: jest.fn() },
  });
  handle.stop();
  expect(fake.started[0]?.stopped).toBe(true);
  // A stopped fallback starts nothing.
  fake.started[0]?.callbacks.onClosed(1006);
  await flush();
  expect(fake.started).toHaveLength(1);
});

describe('the client config carries the endpoint', () => {
  /** Starts with `configured` (the config's endpoint) and `remembered` in storage. */
  function startWith(configured: string | undefined, remembered?: string) {
    const store = memoryStore();
    if (remembered !== undefined) store.map.set(KEY, remembered);
    const fake = sessions();
    const fetchEndpoint = jest.fn(() => Promise.resolve('fresh.example'));
    const onLive = jest.fn();
    const onClosed = jest.fn();
    startOnSessionEndpoint({
      store,
      key: KEY,
      ...(configured !== undefined && { configured }),
      fetchEndpoint,
      start: fake.start,
      callbacks: { onLive, onClosed },
    });
    return { store, fake, fetchEndpoint, onLive, onClosed };
  }

  test('used first: no service call, the remembered one neither read nor replaced', () => {
    const { store, fake, fetchEndpoint, onLive } = startWith(
      'configured.example',
      'remembered.example',
    );
    expect(fake.started.map((s) => s.host)).toEqual(['configured.example']);
    fake.started[0]?.callbacks.onLive();
    expect(onLive).toHaveBeenCalledTimes(1);
    expect(fetchEndpoint).not.toHaveBeenCalled();
    expect(store.map.get(KEY)).toBe('remembered.example');
  });

  test('failing before it opens: the service asked once, its answer tried and remembered', async () => {
    const { store, fake, fetchEndpoint, onClosed } = startWith(
      'stale-config.example',
      'remembered.example',
    );
    fake.started[0]?.callbacks.onClosed(undefined);
    expect(onClosed).not.toHaveBeenCalled();
    await flush();
    expect(fetchEndpoint).toHaveBeenCalledTimes(1);
    expect(fake.started.map((s) => s.host)).toEqual(['stale-config.example', 'fresh.example']);
    expect(store.map.get(KEY)).toBe('fresh.example');
    fake.started[1]?.callbacks.onClosed(1006);
    await flush();
    expect(onClosed).toHaveBeenCalledWith(1006);
    expect(fake.started).toHaveLength(2);
  });

  test('a configured session that went live and later closes reports the close, asks nothing', async () => {
    const { fake, fetchEndpoint, onClosed } = startWith('configured.example');
    fake.started[0]?.callbacks.onLive();
    fake.started[0]?.callbacks.onClosed(4999);
    await flush();
    expect(onClosed).toHaveBeenCalledWith(4999);
    expect(fetchEndpoint).not.toHaveBeenCalled();
    expect(fake.started).toHaveLength(1);
  });

  test('without it: the remembered one, else the service (the order of choice)', async () => {
    const asked = startWith(undefined);
    await flush();
    expect(asked.fake.started.map((s) => s.host)).toEqual(['fresh.example']);
    expect(asked.fetchEndpoint).toHaveBeenCalledTimes(1);
    expect(asked.store.map.get(KEY)).toBe('fresh.example');
    const remembered = startWith(undefined, 'remembered.example');
    expect(remembered.fake.started.map((s) => s.host)).toEqual(['remembered.example']);
    expect(remembered.fetchEndpoint).not.toHaveBeenCalled();
  });
});
