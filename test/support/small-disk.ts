import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A small tmpfs of our own, so that a node can run out of disk for real. */
export interface SmallDisk {
  dir: string;
  /** Bytes still free on it. */
  free(): number;
  /** Takes all but `leaveBytes` of the free space with a filler file (0: everything it can). */
  fill(leaveBytes?: number): Promise<void>;
  /** Deletes the filler: the space comes back. */
  unfill(): Promise<void>;
  /** Remounts it larger, files in place. */
  grow(mib: number): void;
  /** Unmounts and removes the mount point. Idempotent: call it in `finally`. */
  remove(): void;
}

/**
 * Mounts a tmpfs of `mib` MiB, or says why it cannot (not root, no mount(8), a container
 * without CAP_SYS_ADMIN, or CAIRN_TEST_NO_MOUNT set): the caller then injects ENOSPC from
 * the store instead, or skips with that reason.
 */
export function mountSmallDisk(mib: number): SmallDisk | { skip: string } {
  // To run the fallback where mount would work.
  if (process.env.CAIRN_TEST_NO_MOUNT) return { skip: 'CAIRN_TEST_NO_MOUNT is set; ENOSPC is injected from the store instead' };
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return { skip: `cannot mount a tmpfs here (${stderr || (err as Error).message}); ENOSPC is injected from the store instead` };
  }
  const filler = path.join(dir, 'filler');
  let mounted = true;
  return {
    dir,
    free: () => {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    },
    async fill(leaveBytes = 0) {
      const handle = await open(filler, 'a');
      try {
        const chunk = Buffer.alloc(64 * 1024, 0x5a);
        for (;;) {
          const s = statfsSync(dir);
          const room = s.bavail * s.bsize - leaveBytes;
          if (room <= 0) break;
          try {
            await handle.write(chunk, 0, Math.min(chunk.length, room));
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw err;
          }
        }
      } finally {
        await handle.close();
      }
    },
    async unfill() {
      await rm(filler, { force: true });
    },
    grow(size: number) {
      execFileSync('mount', ['-o', `remount,size=${size}m`, dir], { stdio: 'pipe' });
    },
    remove() {
      if (mounted) {
        try {
          execFileSync('umount', [dir], { stdio: 'pipe' });
        } catch {
          // Still busy (a process not reaped yet): detach it now, the kernel frees it when the last file closes.
          execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
        }
        mounted = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The marker file of `--fault disk-full=PATH`: while it exists the store refuses every write. */
export function injectedFull(dir: string): { flag: string; fill(): void; unfill(): void } {
  const flag = path.join(dir, 'disk-is-full');
  return { flag, fill: () => writeFileSync(flag, ''), unfill: () => rmSync(flag, { force: true }) };
}
