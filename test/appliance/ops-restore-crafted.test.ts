import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBackup, encodeBackup, type BackupEntry } from '../../appliance/lib/ops/backup-archive.js';
import { checkBackupEntryPath } from '../../appliance/lib/ops/backup-set.js';
import { runAppliance } from './ops-cli-harness.js';

// Crafted archives (what an attacker who can write or swap the archive file makes) restored by the real command.
const PASSPHRASE = 'correct horse battery staple';
let dir: string;
let passFile: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usm-restore-crafted-'));
  passFile = join(dir, 'passphrase');
  await writeFile(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function file(path: string, mode = 0o600, content = 'x\n'): BackupEntry {
  return { path, type: 'file', mode, uid: 0, gid: 0, data: Buffer.from(content) };
}

let serial = 0;
async function restoreCrafted(entries: BackupEntry[], encrypted: boolean, target: string, ...flags: string[]) {
  const archive = join(dir, `crafted-${(serial += 1)}.usmbak`);
  await writeFile(archive, encodeBackup({ createdAt: 'now', hostname: 'evil', version: '0', entries }, encrypted ? PASSPHRASE : undefined), { mode: 0o600 });
  return runAppliance(['restore', '--in', archive, '--root', target, ...(encrypted ? ['--passphrase-file', passFile] : []), ...flags]);
}

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const entry of await readdir(join(root, rel), { withFileTypes: true }).catch(() => [])) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      out.push(path);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk('');
  return out.sort();
}

const OUTSIDE: Array<[BackupEntry, RegExp]> = [
  [file('/root/.ssh/authorized_keys', 0o600, 'ssh-ed25519 AAAA attacker\n'), /outside the backup set/],
  [file('/usr/local/bin/usm-shell', 0o4755), /outside the backup set/],
  [file('/etc/usm-appliance-evil/x'), /outside the backup set/],
  [file('/etc/wireguard/office.conf'), /outside the backup set/],
  [file('/etc/wireguard/sub/usm0.conf'), /outside the backup set/],
  [file('/etc/systemd/system/multi-user.target.wants/usm-poller.service'), /outside the backup set/],
  [file('/etc/systemd/system/sshd.service'), /outside the backup set/],
  [{ path: '/etc/wireguard/usm9.conf', type: 'dir', mode: 0o755, uid: 0, gid: 0 }, /a directory where \/etc\/wireguard holds only files/],
  [file('/etc/usm-appliance/./x'), /not a normalized path/],
  [file('/etc/usm-appliance//x'), /not a normalized path/],
  [file('/etc/usm-appliance/a\nb'), /control characters/],
];

for (const encrypted of [false, true]) {
  test(`${encrypted ? 'encrypted' : 'plain'} archive with entries outside the backup set: refused, each named, nothing written`, async () => {
    const target = join(dir, `outside-${encrypted ? 'enc' : 'plain'}`);
    await mkdir(target);
    const entries = [file('/etc/usm-appliance/satellite.yaml'), ...OUTSIDE.map(([entry]) => entry)];
    for (const flags of [['--dry-run'], [], ['--force']]) {
      const result = await restoreCrafted(entries, encrypted, target, ...flags);
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stderr, new RegExp(`names ${OUTSIDE.length} entries that a backup never holds; nothing was changed`));
      for (const [entry, reason] of OUTSIDE) {
        const line = result.stderr.split('\n').find((l) => l.includes(JSON.stringify(entry.path)));
        assert.ok(line, `${JSON.stringify(entry.path)} named in ${result.stderr}`);
        assert.match(line, reason);
      }
      assert.doesNotMatch(result.stderr, /satellite\.yaml/, 'the in-set entry is not blamed');
      assert.deepEqual(await listTree(target), [], 'nothing written');
    }
  });
}

test('pure check: every path a real backup holds passes, and near misses do not', () => {
  for (const [path, type] of [
    ['/etc/usm-appliance', 'dir'], ['/etc/usm-appliance/tls/client.key', 'file'], ['/var/lib/usm-appliance/core/state.json', 'file'],
    ['/etc/wireguard/usm0.conf', 'file'], ['/opt/usm_poller/compose.yaml', 'file'], ['/etc/rabbitmq/usm-tls/ca.pem', 'file'],
    ['/etc/systemd/system/usm-poller.service', 'file'], ['/etc/systemd/system/usm-backup.timer', 'file'],
  ] as const) assert.equal(checkBackupEntryPath(path, type), null, path);
  for (const path of ['/', 'etc/usm-appliance/x', '/etc/usm-appliance/', '/etc/usm-appliance/../shadow', '/etc/wireguard', '/etc/systemd/system', '/opt/usm_poller2/x']) {
    assert.notEqual(checkBackupEntryPath(path, 'file'), null, path);
  }
});

for (const encrypted of [false, true]) {
  test(`${encrypted ? 'encrypted' : 'plain'} archive: setuid, setgid and sticky bits are dropped (files and directories)`, async () => {
    const target = join(dir, `modes-${encrypted ? 'enc' : 'plain'}`);
    const entries: BackupEntry[] = [
      { path: '/opt/usm_poller', type: 'dir', mode: 0o3777, uid: 0, gid: 0 },
      file('/opt/usm_poller/run-me', 0o4755, '#!/bin/sh\nid\n'),
      file('/etc/usm-appliance/group-tool', 0o2750),
    ];
    const dry = await restoreCrafted(entries, encrypted, target, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /create\s+0755 \/opt\/usm_poller\/run-me/);
    const result = await restoreCrafted(entries, encrypted, target);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await stat(join(target, 'opt/usm_poller/run-me'))).mode & 0o7777, 0o755);
    assert.equal((await stat(join(target, 'etc/usm-appliance/group-tool'))).mode & 0o7777, 0o750);
    assert.equal((await stat(join(target, 'opt/usm_poller'))).mode & 0o7777, 0o777);
    // The decoder already drops them, so no caller of decodeBackup sees them either.
    const archive = encodeBackup({ createdAt: 'now', hostname: 'h', version: '0', entries }, encrypted ? PASSPHRASE : undefined);
    assert.deepEqual(decodeBackup(archive, encrypted ? PASSPHRASE : undefined).entries.map((e) => e.mode), [0o777, 0o755, 0o750]);
  });
}

test('a symbolic link on the way (a backup-set directory pointing elsewhere) is refused and not written through', async () => {
  const target = join(dir, 'link-target');
  const elsewhere = join(dir, 'elsewhere');
  await mkdir(join(target, 'etc'), { recursive: true });
  await mkdir(join(target, 'opt/usm_poller'), { recursive: true });
  await mkdir(elsewhere);
  await symlink(elsewhere, join(target, 'etc/usm-appliance'));
  await symlink(elsewhere, join(target, 'opt/usm_poller/sub'));
  for (const encrypted of [false, true]) {
    const result = await restoreCrafted([file('/etc/usm-appliance/authorized_keys'), file('/opt/usm_poller/sub/x')], encrypted, target, '--force');
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /symbolic link; restore does not write through links/);
    assert.match(result.stderr, /- \/etc\/usm-appliance\n/);
    assert.match(result.stderr, /- \/opt\/usm_poller\/sub\n/);
    assert.deepEqual(await readdir(elsewhere), []);
  }
  assert.ok((await lstat(join(target, 'etc/usm-appliance'))).isSymbolicLink());
  // Without the links the same archive restores (the refusal was about the links only).
  await rm(join(target, 'etc/usm-appliance'));
  await rm(join(target, 'opt/usm_poller/sub'));
  const ok = await restoreCrafted([file('/etc/usm-appliance/authorized_keys'), file('/opt/usm_poller/sub/x')], false, target);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await readFile(join(target, 'opt/usm_poller/sub/x'), 'utf8'), 'x\n');
});
