import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/lwsim.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, cwd: ROOT });

describe('the lwsim command line', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the commands to stdout and exits 0', (flag) => {
    const r = run(flag);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: lwsim <command>/);
    expect(r.stdout).toContain('replay FILE');
    expect(r.stderr).toBe('');
  });

  it.each([
    ['replay', '--help'],
    ['serve', '-h'],
    ['cluster', '--help'],
    ['help', 'replay'],
  ])('%s %s prints that command’s usage and does nothing else', (a, b) => {
    const r = run(a, b);
    expect(r.status).toBe(0);
    const command = a === 'help' ? b : a;
    expect(r.stdout).toMatch(new RegExp(`^usage: lwsim ${command} `));
    expect(r.stderr).toBe('');
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v'])
      expect(run(flag)).toMatchObject({ status: 0, stdout: `lwsim ${version}\n` });
  });

  it('an unknown flag names it and prints the command’s usage to stderr, exit 2', () => {
    const r = run('replay', 'scenarios/demo.yaml', '--bogus');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'--bogus'");
    expect(r.stderr).toContain('usage: lwsim replay FILE');
    expect(r.stdout).toBe('');
  });

  it('an unknown command prints the commands to stderr, exit 2', () => {
    const r = run('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    expect(r.stderr).toContain('usage: lwsim <command>');
  });
});
