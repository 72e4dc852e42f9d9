/**
 * Small real file systems for fault tests: a tmpfs of a given size, mountable read-only, that a
 * test can fill to the last block. Root ignores permission bits, so a read-only mount (or a full
 * one) is the only honest way to make a directory refuse writes; mounting needs CAP_SYS_ADMIN,
 * which the test machines and CI have (tests run as root there).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, fstatSync, mkdtempSync, openSync, rmSync, rmdirSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  /** The mount point. */
  readonly dir: string;
  /** Block size of the file system (the unit of space it hands out). */
  readonly blockSize: number;
  /** Writes a filler file until the device reports ENOSPC; returns the bytes written. */
  fill(): number;
  /** Shrinks the filler so that `blocks` blocks are free again (after `fill`). */
  leaveFree(blocks: number): void;
  /** Deletes the filler. */
  free(): void;
  remount(mode: 'ro' | 'rw'): void;
  /** Unmounts (lazily if something still holds it open) and removes the mount point. Idempotent. */
  unmount(): void;
}

const mounted = new Set<Tmpfs>();
let mountable: true | string | undefined;
process.once('exit', () => {
  for (const fs of mounted) fs.unmount();
});

/**
 * Whether tmpfs tests can run here. In CI (`CI=true`) being unable to mount throws, so the suite
 * fails loudly instead of skipping; elsewhere it returns false and says why on stderr.
 */
export function tmpfsTestsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  mountable ??= canMount();
  if (mountable === true) return true;
  const reason = `cannot mount a tmpfs (${mountable}); these tests need root or CAP_SYS_ADMIN`;
  if (env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  process.stderr.write(`skipping disk-fault tests: ${reason}\n`);
  return false;
}

/** True, or why a tmpfs cannot be mounted here. */
function canMount(): true | string {
  let probe: Tmpfs | undefined;
  try {
    probe = mountTmpfs({ sizeKiB: 64 });
    return true;
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  } finally {
    probe?.unmount();
  }
}

export function mountTmpfs(options: { sizeKiB: number; readOnly?: boolean }): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'pacer-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `${options.readOnly ? 'ro,' : ''}size=${options.sizeKiB}k,mode=0755`, 'tmpfs', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (err) {
    rmdirSync(dir);
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`mount -t tmpfs failed: ${stderr || (err as Error).message}`);
  }
  const blockSize = statfsSync(dir).bsize;
  const filler = join(dir, 'filler');
  let unmounted = false;
  const fs: Tmpfs = {
    dir,
    blockSize,
    fill() {
      const fd = openSync(filler, 'a');
      let written = 0;
      try {
        // Big chunks first, then single blocks, so the last free block is taken too. Bounded by
        // the size of the file system: every successful write consumes space.
        for (const chunk of [Buffer.alloc(64 * blockSize), Buffer.alloc(blockSize)]) {
          for (;;) {
            try {
              written += writeSync(fd, chunk);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    leaveFree(blocks) {
      const fd = openSync(filler, 'r+');
      try {
        ftruncateSync(fd, Math.max(0, fstatSync(fd).size - blocks * blockSize));
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    remount(mode) {
      execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'ignore' });
    },
    unmount() {
      if (unmounted) return;
      unmounted = true;
      mounted.delete(fs);
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {
        // Still busy (a child process that has not died yet): detach it now, freed when released.
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      }
      rmdirSync(dir);
    },
  };
  mounted.add(fs);
  return fs;
}
