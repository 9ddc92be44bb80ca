import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBackup, encodeBackup } from '../../appliance/lib/ops/backup-archive.js';
import { runAppliance } from './ops-cli-harness.js';

// Real files in a temp tree, written and restored by the real commands (usm-appliance backup/restore).
const WG_KEY = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
const FILES: Array<{ path: string; mode: number; content: string }> = [
  { path: 'etc/usm-appliance/satellite.yaml', mode: 0o600, content: 'satellite:\n  id: "7"\n' },
  { path: 'etc/usm-appliance/tls/client.key', mode: 0o600, content: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIF0=\n-----END PRIVATE KEY-----\n' },
  { path: 'etc/wireguard/usm0.conf', mode: 0o600, content: `[Interface]\nPrivateKey = ${WG_KEY}\nAddress = 10.77.0.2/32\n` },
  { path: 'opt/usm_poller/compose.yaml', mode: 0o644, content: 'services:\n  poller:\n    image: usm-appliance/poller:0.1.0\n' },
  { path: 'opt/usm_poller/poller.env', mode: 0o600, content: "US_AMQP_DSN='amqp://sat-7:s3cretPassw0rd@10.77.0.1:5672/%2f'\n" },
  { path: 'var/lib/usm-appliance/state.bin', mode: 0o640, content: '\u0000\u0001binary\u00ff' },
];

let dir: string;
let source: string;
let passFile: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usm-backup-'));
  source = join(dir, 'source');
  for (const file of FILES) {
    await mkdir(join(source, file.path, '..'), { recursive: true });
    await writeFile(join(source, file.path), file.content, { mode: file.mode });
    await chmod(join(source, file.path), file.mode);
  }
  await chmod(join(source, 'etc/usm-appliance/tls'), 0o700);
  // Not ours: must stay out of the archive.
  await writeFile(join(source, 'etc/wireguard/office.conf'), '[Interface]\n', { mode: 0o600 });
  passFile = join(dir, 'passphrase');
  await writeFile(passFile, 'correct horse battery staple\n', { mode: 0o600 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else out.push(path);
    }
  };
  await walk('');
  return out.sort();
}

test('encrypted round trip to a new root: same bytes, same modes, 0600 archive, no secret in clear', async () => {
  const archive = join(dir, 'enc.usmbak');
  const backup = await runAppliance(['backup', '--out', archive, '--root', source, '--passphrase-file', passFile]);
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /6 files, .*encrypted \(AES-256-GCM, scrypt\)/);
  assert.equal((await stat(archive)).mode & 0o777, 0o600);
  const bytes = await readFile(archive);
  for (const secret of ['s3cretPassw0rd', WG_KEY, 'PRIVATE KEY', 'satellite']) assert.equal(bytes.includes(secret), false, `${secret} in clear`);
  const header = JSON.parse(bytes.subarray(0, bytes.indexOf(0x0a)).toString()) as { encryption: { cipher: string; kdf: string; N: number } };
  assert.deepEqual([header.encryption.cipher, header.encryption.kdf, header.encryption.N], ['aes-256-gcm', 'scrypt', 2 ** 17]);

  const target = join(dir, 'new-machine');
  const restore = await runAppliance(['restore', '--in', archive, '--root', target, '--passphrase-file', passFile]);
  assert.equal(restore.code, 0, restore.stderr);
  assert.match(restore.stdout, /restored 6 file\(s\)/);
  assert.deepEqual(await listTree(target), FILES.map((f) => f.path).sort());
  for (const file of FILES) {
    assert.equal(await readFile(join(target, file.path), 'utf8'), file.content, file.path);
    assert.equal((await stat(join(target, file.path))).mode & 0o777, file.mode, `${file.path} mode`);
  }
  assert.equal((await stat(join(target, 'etc/usm-appliance/tls'))).mode & 0o777, 0o700, 'directory mode kept');

  const again = await runAppliance(['restore', '--in', archive, '--root', target, '--passphrase-file', passFile]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /restored 0 file\(s\)/);
  assert.equal((again.stdout.match(/unchanged/g) ?? []).length, 6);
});

test('restore refuses to overwrite a differing file without --force; --dry-run shows a masked diff', async () => {
  const archive = join(dir, 'conflict.usmbak');
  assert.equal((await runAppliance(['backup', '--out', archive, '--root', source, '--passphrase-file', passFile])).code, 0);
  const target = join(dir, 'conflict-target');
  assert.equal((await runAppliance(['restore', '--in', archive, '--root', target, '--passphrase-file', passFile])).code, 0);
  const changed = `[Interface]\nPrivateKey = ${'A'.repeat(43)}=\nAddress = 10.77.0.9/32\n`;
  await writeFile(join(target, 'etc/wireguard/usm0.conf'), changed);
  await chmod(join(target, 'opt/usm_poller/compose.yaml'), 0o600);

  const refused = await runAppliance(['restore', '--in', archive, '--root', target, '--passphrase-file', passFile]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /1 file\(s\) exist with other content; nothing was changed/);
  assert.match(refused.stderr, /- \/etc\/wireguard\/usm0.conf/);
  assert.equal(await readFile(join(target, 'etc/wireguard/usm0.conf'), 'utf8'), changed);
  assert.equal((await stat(join(target, 'opt/usm_poller/compose.yaml'))).mode & 0o777, 0o600, 'nothing written, not even a chmod');

  const dry = await runAppliance(['restore', '--in', archive, '--root', target, '--passphrase-file', passFile, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /differs\s+0600 \/etc\/wireguard\/usm0.conf/);
  assert.match(dry.stdout, /chmod\s+0644 \/opt\/usm_poller\/compose.yaml \(mode 0600 -> 0644\)/);
  assert.match(dry.stdout, /-Address = 10.77.0.9\/32\n\+Address = 10.77.0.2\/32/);
  assert.match(dry.stdout, /PrivateKey = <redacted>/);
  assert.equal(dry.stdout.includes(WG_KEY), false, 'no key in the dry run');

  const forced = await runAppliance(['restore', '--in', archive, '--root', target, '--passphrase-file', passFile, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await readFile(join(target, 'etc/wireguard/usm0.conf'), 'utf8'), FILES[2]!.content);
  assert.equal((await stat(join(target, 'opt/usm_poller/compose.yaml'))).mode & 0o777, 0o644);
});

test('a wrong passphrase and a tampered archive are refused and write nothing', async () => {
  const archive = join(dir, 'tamper.usmbak');
  assert.equal((await runAppliance(['backup', '--out', archive, '--root', source, '--passphrase-file', passFile])).code, 0);
  const wrongFile = join(dir, 'wrong');
  await writeFile(wrongFile, 'correct horse battery stapler\n', { mode: 0o600 });
  const target = join(dir, 'never-written');

  const wrong = await runAppliance(['restore', '--in', archive, '--root', target, '--passphrase-file', wrongFile]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /wrong passphrase, or the archive was changed or damaged/);

  const bytes = await readFile(archive);
  const body = bytes.indexOf(0x0a) + 1;
  const flipped = Buffer.from(bytes);
  flipped[body + Math.floor((bytes.length - body) / 2)]! ^= 0x01;
  await writeFile(join(dir, 'flipped.usmbak'), flipped);
  const tampered = await runAppliance(['restore', '--in', join(dir, 'flipped.usmbak'), '--root', target, '--passphrase-file', passFile]);
  assert.equal(tampered.code, 1);
  assert.match(tampered.stderr, /changed or damaged/);

  // A weaker (still valid) KDF setting in the header: the header is authenticated data, so this fails too.
  const weaker = Buffer.from(bytes.toString('latin1').replace('"N":131072', '"N":16384'), 'latin1');
  assert.notDeepEqual(weaker, bytes);
  await writeFile(join(dir, 'weaker.usmbak'), weaker);
  const header = await runAppliance(['restore', '--in', join(dir, 'weaker.usmbak'), '--root', target, '--passphrase-file', passFile]);
  assert.equal(header.code, 1);
  assert.match(header.stderr, /wrong passphrase, or the archive was changed or damaged/);

  const missing = await runAppliance(['restore', '--in', archive, '--root', target]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--passphrase-file: required, the archive is encrypted/);
  await assert.rejects(stat(target), { code: 'ENOENT' });
});

test('plain archives warn, detect damage, and the passphrase never goes in argv', async () => {
  const archive = join(dir, 'plain.usmbak');
  const plain = await runAppliance(['backup', '--out', archive, '--root', source]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /NOT|in clear/);
  assert.equal((await stat(archive)).mode & 0o777, 0o600);
  const again = await runAppliance(['backup', '--out', archive, '--root', source]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /--out: .* exists/);

  const bytes = await readFile(archive);
  const damaged = Buffer.from(bytes);
  damaged[damaged.length - 10]! ^= 0xff;
  await writeFile(join(dir, 'plain-damaged.usmbak'), damaged);
  const result = await runAppliance(['restore', '--in', join(dir, 'plain-damaged.usmbak'), '--root', join(dir, 'plain-target'), '--dry-run']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /changed or damaged \(checksum mismatch\)/);

  const argvSecret = await runAppliance(['backup', '--out', join(dir, 'x.usmbak'), '--root', source, '--passphrase', 'hunter2hunter2']);
  assert.equal(argvSecret.code, 2);
  assert.match(argvSecret.stderr, /Unknown option '--passphrase'/);

  const short = join(dir, 'short');
  await writeFile(short, 'abc\n', { mode: 0o600 });
  const tooShort = await runAppliance(['backup', '--out', join(dir, 'y.usmbak'), '--root', source, '--passphrase-file', short]);
  assert.equal(tooShort.code, 2);
  assert.match(tooShort.stderr, /at least 8 characters/);
});

test('a symbolic link inside the backup set is refused, not followed', async () => {
  const root = join(dir, 'with-link');
  await mkdir(join(root, 'etc/usm-appliance'), { recursive: true });
  await writeFile(join(root, 'etc/usm-appliance/ok.yaml'), 'a: 1\n');
  await symlink('/etc/hostname', join(root, 'etc/usm-appliance/evil'));
  const result = await runAppliance(['backup', '--out', join(dir, 'link.usmbak'), '--root', root]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /\/etc\/usm-appliance\/evil: not a regular file/);
  await assert.rejects(stat(join(dir, 'link.usmbak')), { code: 'ENOENT' });
});

test('archives naming a path with .. are rejected before anything is planned', () => {
  const archive = encodeBackup({ createdAt: 'now', hostname: 'h', version: '0', entries: [{ path: '/etc/../root/x', type: 'file', mode: 0o600, uid: 0, gid: 0, data: Buffer.from('x') }] });
  assert.throws(() => decodeBackup(archive), (error: Error & { code?: string; problems?: string[] }) => {
    assert.equal(error.code, 'E_BACKUP_FORMAT');
    assert.match(error.problems?.join('\n') ?? '', /entries\.entries\.0\.path: must not contain \.\./);
    return true;
  });
});
