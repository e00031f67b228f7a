import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key access tokens are signed with: `<data-dir>/token-secret`, made on the first start (32 random bytes, only
 * the owner may read it), so tokens stay valid across restarts of the same data directory and no other.
 */
export function tokenSecret(dataDir: string): Buffer {
  const path = join(dataDir, 'token-secret');
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    const fresh = `${path}.${process.pid}`;
    writeFileSync(fresh, randomBytes(32).toString('hex'), { mode: 0o600 });
    renameSync(fresh, path);
  }
  const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  if (secret.length < 32) throw new Error(`${path} holds no 32-byte key: delete it to make a new one`);
  return secret;
}
