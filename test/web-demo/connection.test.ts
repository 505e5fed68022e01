import {
  connectionLabel,
  isRetryableClose,
  reconnectDelayMs,
  stoppedReason,
} from '../../web-demo/src/connection';

test('retries the close codes the Chime SDK retries, and a session that never opened', () => {
  for (const code of [undefined, 1001, 1006, 1011, 1014, 4999]) {
    expect(isRetryableClose(code)).toBe(true);
  }
  for (const code of [1000, 4002, 4003, 4401]) expect(isRetryableClose(code)).toBe(false);
  expect(stoppedReason(4003)).toBe('The server ended this session.');
});

test('backoff doubles from 1 s to at most 15 s, with jitter between half and all of it', () => {
  expect([1, 2, 3, 4, 5, 9].map((a) => reconnectDelayMs(a, 0.999999))).toEqual([
    1000, 2000, 4000, 8000, 15000, 15000,
  ]);
  expect(reconnectDelayMs(1, 0)).toBe(500);
  expect(reconnectDelayMs(9, 0)).toBe(7500);
});

test('plain words, no codes', () => {
  expect(connectionLabel({ kind: 'live' }, true)).toBe('Live');
  expect(connectionLabel({ kind: 'reconnecting', attempt: 1 }, true)).toBe('Reconnecting…');
  expect(connectionLabel({ kind: 'reconnecting', attempt: 1 }, false)).toBe('Offline');
  expect(connectionLabel({ kind: 'stopped', reason: 'x' }, true)).toBe('Disconnected');
});
