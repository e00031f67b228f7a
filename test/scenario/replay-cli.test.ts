/** `lwsim replay` as a user runs it: a real process, its files, its exit codes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/lwsim.js', import.meta.url).pathname;
const DEMO = new URL('../../scenarios/demo.yaml', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, 'replay', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('lwsim replay', () => {
  it('writes the JSON report and report.md / report.html, prints a summary, exits 0; the same seed gives the same report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-replay-'));
    const first = run(DEMO, '--json', join(dir, 'a.json'), '--report', join(dir, 'report'));
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/workloads\s+53 \(52 ran, 1 never ran\)/);
    const second = run(DEMO, '--json', join(dir, 'b.json'), '--quiet');
    expect(second.status).toBe(0);
    expect(second.stdout).toBe('');
    const a = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
    delete a.run;
    delete b.run;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(readFileSync(join(dir, 'report', 'report.md'), 'utf8')).toContain('# Replay report: demo');
    expect(readFileSync(join(dir, 'report', 'report.html'), 'utf8')).toContain('<svg');
    expect(run(DEMO, '--json', join(dir, 'c.json'), '--quiet', '--seed', '99').status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')).scenario.seed).toBe(99);
    // Three replays of the demo, each serving its llama-70b request by request (~4 s): more than the default.
  }, 120_000);

  it('exits 2 with located errors for an invalid file, and for bad flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-replay-'));
    const cluster = new URL('../../scenarios/clusters/default.yaml', import.meta.url).pathname;
    writeFileSync(join(dir, 'bad.yaml'), `name: bad\nuntil: never\ncluster: ${cluster}\n`);
    const bad = run(join(dir, 'bad.yaml'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:2:8: until: "never" is not a duration/);
    expect(run().status).toBe(2);
    expect(run(DEMO, '--seed', 'x').status).toBe(2);
  });
});
