/**
 * What hostile inputs cost the sandbox, measured on the sandbox process alone (`npm run sandbox`
 * as a child process; Linux /proc figures): its peak resident memory (VmHWM) before and after
 * - a 20 MB request body to each protocol (user pool JSON, Chime REST, STS query), declared and
 *   chunked, answered 413 without buffering;
 * - 4 unauthenticated WebSocket connections each sending a 90 MB frame.
 * The assertion that bodies are refused while streaming is a test (test/sandbox/browser-access);
 * these are the figures (goal: a 20 MB body costs under 50 MB).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { PROJECT_ROOT, ensureSynth } from '../sandbox/synth';

const MB = 1024 * 1024;

/** VmRSS and VmHWM (peak) of a process, in MB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function startCli(stateDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'sandbox/cli.ts',
      '--port',
      '0',
      '--hosted-ui-port',
      '0',
      '--state-dir',
      stateDir,
      '--cdk-out',
      join(PROJECT_ROOT, 'cdk.out'),
      '--quiet-lambdas',
    ],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    let endpoint = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      endpoint ||= /endpoint \(every service\): (\S+)/.exec(output)?.[1] ?? '';
      if (/^ready$/m.test(output)) resolve(endpoint);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}:\n${output}`)));
  });
  return { child, url };
}

/** Streams `size` bytes (64 KB at a time, never held whole) and waits for the status. */
function post(
  url: string,
  headers: Record<string, string>,
  size: number,
  chunked: boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, ...(!chunked && { 'content-length': String(size) }) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

function hugeFrame(url: string, size: number): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/connect?userArn=x&sessionId=y`);
    ws.on('open', () => ws.send(Buffer.alloc(size)));
    ws.on('close', (code) => resolve(code));
    ws.on('error', () => {});
  });
}

export async function run(): Promise<void> {
  await ensureSynth();
  const stateDir = mkdtempSync(join(tmpdir(), 'sandbox-limits-bench-'));
  const { child, url } = await startCli(stateDir);
  const pid = child.pid!;
  try {
    // Warm up the request paths once with small bodies, so the baseline includes them.
    await post(
      `${url}/`,
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp',
      },
      100,
      false,
    );
    const base = memoryOf(pid);
    console.log(
      `sandbox process at rest: RSS ${base.rss.toFixed(0)} MB, peak ${base.peak.toFixed(0)} MB`,
    );
    const targets: [string, Record<string, string>][] = [
      [
        'user pool (JSON)',
        {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp',
        },
      ],
      ['Chime (REST)', { 'content-type': 'application/json' }],
      ['STS (query)', { 'content-type': 'application/x-www-form-urlencoded' }],
    ];
    for (const [name, headers] of targets) {
      const path = name.startsWith('Chime') ? '/channels' : '/';
      for (const chunked of [false, true]) {
        const before = memoryOf(pid);
        const status = await post(`${url}${path}`, headers, 20 * MB, chunked);
        const after = memoryOf(pid);
        console.log(
          `20 MB body to ${name}, ${chunked ? 'chunked' : 'Content-Length'}: ${status}, ` +
            `peak +${(after.peak - before.peak).toFixed(1)} MB (RSS ${after.rss.toFixed(0)} MB)`,
        );
      }
    }
    const before = memoryOf(pid);
    const codes = await Promise.all(Array.from({ length: 4 }, () => hugeFrame(url, 90 * MB)));
    const after = memoryOf(pid);
    console.log(
      `4 unauthenticated WebSockets x 90 MB frame: closed ${codes.join(',')}, ` +
        `peak +${(after.peak - before.peak).toFixed(1)} MB (RSS ${after.rss.toFixed(0)} MB)`,
    );
    console.log(`sandbox peak overall: +${(after.peak - base.peak).toFixed(1)} MB over rest`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(stateDir, { recursive: true, force: true });
  }
}
