/**
 * Sandbox hosted UI figures, in-process (startTestSandbox):
 * - the loopback certificate: generation (first start) and reuse (restart);
 * - the code + PKCE flow as a browser drives it (authorize -> sign-in page -> sign-in post ->
 *   token exchange, over HTTPS trusting the certificate): p50/p90 over N sign-ins;
 * - the refresh_token grant: p50/p90.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadOrCreateCertificate } from '../sandbox/services/hosted-ui/certificate';
import { ensureSynth } from '../sandbox/synth';

const SIGN_INS = 20;
const APP = 'http://localhost:5173/';

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return `p50 ${at(0.5)?.toFixed(1)} ms, p90 ${at(0.9)?.toFixed(1)} ms (n=${sorted.length})`;
}

function call(
  ca: string,
  url: string,
  body?: Record<string, string>,
): Promise<{ status: number; location?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        ca,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ...(res.headers.location && { location: res.headers.location }),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body ? new URLSearchParams(body).toString() : undefined);
  });
}

export async function run(): Promise<void> {
  const certDir = mkdtempSync(join(tmpdir(), 'hosted-ui-cert-bench-'));
  let start = performance.now();
  await loadOrCreateCertificate(certDir);
  console.log(`certificate: generate ${(performance.now() - start).toFixed(0)} ms`);
  start = performance.now();
  await loadOrCreateCertificate(certDir);
  console.log(`certificate: reuse ${(performance.now() - start).toFixed(1)} ms`);
  rmSync(certDir, { recursive: true, force: true });

  await ensureSynth();
  const { startTestSandbox } = await import('../sandbox/testing');
  const sandbox = await startTestSandbox({ hostedUi: { port: 0, localAppUrls: [APP] } });
  try {
    const hosted = sandbox.hostedUi!;
    const ca = hosted.certificate.cert;
    const clientId = sandbox.config.userPoolClientId;
    const user = await sandbox.signUpUser('bench-hosted@example.com');
    const flows: number[] = [];
    const refreshes: number[] = [];
    let refreshToken = '';
    for (let i = 0; i < SIGN_INS; i++) {
      const verifier = randomBytes(48).toString('base64url');
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: APP,
        scope: 'openid email profile',
        state: `s${i}`,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      start = performance.now();
      const authorize = await call(ca, `${hosted.url}/oauth2/authorize?${query.toString()}`);
      await call(ca, `${hosted.url}${authorize.location}`);
      const posted = await call(ca, `${hosted.url}${authorize.location}`, {
        username: user.email,
        password: user.password,
      });
      const code = new URL(posted.location ?? '').searchParams.get('code') ?? '';
      const tokens = await call(ca, `${hosted.url}/oauth2/token`, {
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        redirect_uri: APP,
        code_verifier: verifier,
      });
      flows.push(performance.now() - start);
      if (tokens.status !== 200) throw new Error(`token exchange failed: ${tokens.text}`);
      refreshToken = (JSON.parse(tokens.text) as { refresh_token: string }).refresh_token;
    }
    for (let i = 0; i < SIGN_INS; i++) {
      start = performance.now();
      const out = await call(ca, `${hosted.url}/oauth2/token`, {
        grant_type: 'refresh_token',
        client_id: clientId,
        refresh_token: refreshToken,
      });
      refreshes.push(performance.now() - start);
      if (out.status !== 200) throw new Error(`refresh failed: ${out.text}`);
    }
    console.log(`authorize -> sign-in page -> sign-in -> token (PKCE): ${stats(flows)}`);
    console.log(`refresh_token grant: ${stats(refreshes)}`);
  } finally {
    await sandbox.stop();
  }
}
