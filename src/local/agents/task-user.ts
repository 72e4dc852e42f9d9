/**
 * Which user a task runs as, as upstream agents decide it (`--switch_user`): an agent running as
 * root runs a task as its CommandInfo.user, else its FrameworkInfo.user; an agent running as
 * anyone else runs every task as itself. The sandbox is handed to that user before anything runs.
 */
import { execFile } from 'node:child_process';
import { chown, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TaskIdentity {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

/** The user to switch to, or undefined to run as the agent's own user. */
export function taskUserName(opts: {
  switchUser: boolean;
  agentIsRoot: boolean;
  commandUser?: string | undefined;
  frameworkUser?: string | undefined;
}): string | undefined {
  if (!opts.switchUser || !opts.agentIsRoot) return undefined;
  const user = opts.commandUser !== undefined && opts.commandUser !== '' ? opts.commandUser : opts.frameworkUser;
  return user === undefined || user === '' ? undefined : user;
}

/**
 * Looks the user up through NSS (`getent passwd`), so LDAP and the like count as they do for the
 * kernel's login tools. An unknown user fails with upstream's launcher wording.
 */
export async function lookupTaskUser(user: string): Promise<TaskIdentity> {
  let line = '';
  try {
    line = (await run('getent', ['passwd', user], { timeout: 10_000 })).stdout.split('\n')[0] ?? '';
  } catch {
    line = '';
  }
  const fields = line.split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (fields[0] !== user || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error(`Failed to chown sandbox to user ${user}: No such user '${user}'`);
  }
  return { user, uid, gid };
}

/** Hands a sandbox (and whatever the fetcher put in it) to the task's user. */
export async function chownSandbox(dir: string, identity: TaskIdentity): Promise<void> {
  await chown(dir, identity.uid, identity.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chownSandbox(path, identity);
    else if (!entry.isSymbolicLink()) await chown(path, identity.uid, identity.gid);
  }
}
