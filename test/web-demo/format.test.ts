import { countdown, redactSigned, websocketUrl } from '../../web-demo/src/format';

describe('countdown', () => {
  const now = new Date('2026-11-26T10:00:00Z');
  it.each([
    [59_000, '0:59'],
    [61_000, '1:01'],
    [3_599_000, '59:59'],
    [3_723_000, '1:02:03'],
    [0, 'expired'],
    [-5_000, 'expired'],
  ])('shows %i ms as %s', (ms, text) => {
    expect(countdown(new Date(now.getTime() + ms), now)).toBe(text);
  });
});

describe('websocketUrl', () => {
  const signed = 'wss://127.0.0.1:8123/connect?X-Amz-Signature=abc';
  it('uses plain ws:// for a loopback sandbox served over http', () => {
    expect(websocketUrl(signed, 'http://127.0.0.1:8123')).toBe(
      'ws://127.0.0.1:8123/connect?X-Amz-Signature=abc',
    );
  });
  it('keeps wss:// on AWS and for non-loopback hosts', () => {
    expect(websocketUrl(signed, undefined)).toBe(signed);
    expect(websocketUrl(signed, 'https://127.0.0.1:8123')).toBe(signed);
    const remote = 'wss://example.com/connect?x=1';
    expect(websocketUrl(remote, 'http://example.com')).toBe(remote);
  });
});

describe('redactSigned', () => {
  it('removes signature material from a logged URL', () => {
    const text = redactSigned(
      'opening connection to wss://h/connect?X-Amz-Credential=AKIA%2F1&X-Amz-Security-Token=tok&X-Amz-Signature=s1&userArn=u',
    );
    expect(text).not.toMatch(/AKIA|tok|s1/);
    expect(text).toContain('userArn=u');
  });
});
