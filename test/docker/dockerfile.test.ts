import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isIncludedByDockerignore, parseDockerfile, type Instruction } from './dockerfile-instructions.js';

// No Docker engine here and no Dockerfile linter among the project's dependencies (hadolint is not in Debian;
// the maintained npm linter dockerfile-utils was run by hand: `npx dockerfile-utils lint docker/Dockerfile`,
// no problems). So this is a structural check of the parsed instructions against what the image must do.

const REPO = resolve(import.meta.dirname, '../..');

async function load() {
  const text = await readFile(join(REPO, 'docker/Dockerfile'), 'utf8');
  const instructions = parseDockerfile(text);
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
  const ignore = await readFile(join(REPO, '.dockerignore'), 'utf8');
  const stageOf = (name: string) => instructions.find((i) => i.keyword === 'FROM' && i.args.endsWith(` AS ${name}`))!.stage;
  const inStage = (stage: number, keyword: string) => instructions.filter((i) => i.stage === stage && i.keyword === keyword);
  return { instructions, pkg, ignore, stageOf, inStage };
}

test('two stages on a current Node LTS slim base: build with dev dependencies, runtime with production ones only', async () => {
  const { instructions, stageOf, inStage } = await load();
  const froms = instructions.filter((i) => i.keyword === 'FROM');
  assert.deepEqual(froms.map((f) => f.args), ['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS runtime']);
  const base = instructions.find((i) => i.keyword === 'ARG' && i.stage === -1 && i.args.startsWith('NODE_IMAGE='));
  assert.match(base?.args ?? '', /^NODE_IMAGE=node:(22|24)-bookworm-slim$/);

  const build = stageOf('build');
  const buildRuns = inStage(build, 'RUN').map((i) => i.args);
  assert.ok(buildRuns.some((r) => /^npm ci\b/.test(r)), 'build stage runs npm ci');
  assert.ok(buildRuns.includes('npm run build'), 'build stage runs the build');
  const sourcesCopied = inStage(build, 'COPY').map((i) => i.args.split(' ')[0]);
  for (const dir of ['common', 'poller', 'provision', 'appliance', 'scripts']) assert.ok(sourcesCopied.includes(dir), `${dir} copied for the build`);

  const runtime = stageOf('runtime');
  const runtimeRuns = inStage(runtime, 'RUN').map((i) => i.args);
  assert.ok(runtimeRuns.some((r) => r.startsWith('npm ci --omit=dev --ignore-scripts')), 'production deps without lifecycle scripts (prepare needs tsc)');
  assert.deepEqual(inStage(runtime, 'COPY').map((i) => i.args), ['package.json package-lock.json ./', '--from=build /src/dist ./dist']);
  const apt = runtimeRuns.find((r) => r.startsWith('apt-get update'))!;
  assert.match(apt, /apt-get install -y --no-install-recommends fping iputils-ping/);
  assert.match(apt, /rm -rf \/var\/lib\/apt\/lists\/\*$/);
});

test('runtime: non-root user, status file env, exec-form HEALTHCHECK on the status file, OCI labels, usm-poller by default', async () => {
  const { pkg, stageOf, inStage, instructions } = await load();
  const runtime = stageOf('runtime');
  const user = inStage(runtime, 'USER');
  assert.equal(user.length, 1);
  assert.doesNotMatch(user[0]!.args, /^(root|0)(:|$)/);
  const created = inStage(runtime, 'RUN').map((i) => i.args).join(' ');
  assert.match(created, new RegExp(`useradd --system --uid 10001 --gid usm .* ${user[0]!.args.split(':')[0]}$`));
  assert.match(inStage(runtime, 'ENV').map((i) => i.args).join(' '), /USM_POLLER_STATUS_FILE=\/tmp\/usm-poller-status\.json/);

  const health = inStage(runtime, 'HEALTHCHECK');
  assert.equal(health.length, 1);
  assert.deepEqual(health[0]!.json, ['node', 'dist/poller/bin.js', 'health']);
  assert.match(health[0]!.args, /--interval=30s .*--start-period=30s/);
  assert.deepEqual(inStage(runtime, 'WORKDIR').map((i) => i.args), ['/app']);
  assert.equal(pkg.bin['usm-poller'], 'dist/poller/bin.js', 'HEALTHCHECK path (relative to WORKDIR) is the poller bin');

  const labels = inStage(runtime, 'LABEL').map((i) => i.args).join(' ');
  for (const key of ['title', 'description', 'version', 'revision', 'licenses', 'source']) assert.match(labels, new RegExp(`org\\.opencontainers\\.image\\.${key}=`));
  assert.match(labels, /org\.opencontainers\.image\.version="\$\{VERSION\}"/);
  const versionArg = inStage(runtime, 'ARG').find((i) => i.args.startsWith('VERSION='));
  assert.equal(versionArg?.args, `VERSION=${pkg.version}`, 'the default label version is the package version');

  // Both names on PATH: compose's healthcheck runs `usm-poller health`, operators run `usm-appliance ...`.
  assert.match(created, /ln -s \/app\/dist\/poller\/bin\.js \/usr\/local\/bin\/usm-poller/);
  assert.match(created, /ln -s \/app\/dist\/appliance\/bin\.js \/usr\/local\/bin\/usm-appliance/);
  assert.match(created, /chmod 0755 dist\/poller\/bin\.js dist\/appliance\/bin\.js/);
  assert.deepEqual(inStage(runtime, 'CMD').map((i) => i.json), [['usm-poller']]);
  assert.deepEqual(inStage(runtime, 'ENTRYPOINT').map((i) => i.json), [['docker-entrypoint.sh']]);
  assert.deepEqual(inStage(runtime, 'STOPSIGNAL').map((i) => i.args), ['SIGTERM']);
  assert.equal(instructions.filter((i) => i.keyword === 'EXPOSE').length, 0, 'no port: the poller only connects out');
  assert.equal(instructions.filter((i) => i.keyword === 'ADD').length, 0, 'COPY only');
});

test('every COPY source exists and survives .dockerignore; tests and build output stay out of the context', async () => {
  const { instructions, ignore } = await load();
  const sources = instructions
    .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
    .flatMap((i) => i.args.split(' ').slice(0, -1));
  assert.ok(sources.length >= 9);
  for (const source of sources) {
    await stat(join(REPO, source));
    assert.ok(isIncludedByDockerignore(source, ignore), `${source} is in the build context`);
  }
  for (const excluded of ['node_modules/pino/package.json', 'dist/poller/bin.js', 'test/docker/dockerfile.test.ts', '.git/HEAD', 'bench/run.ts', 'poller/x.test.ts']) {
    assert.equal(isIncludedByDockerignore(excluded, ignore), false, `${excluded} is left out`);
  }
  assert.equal(isIncludedByDockerignore('poller/lib/runtime/poller.ts', ignore), true);
});

test('the reader rejects what docker build would (so the checks above read a valid file)', () => {
  assert.throws(() => parseDockerfile('FROM node:22\nRUNN echo\n'), /line 2: unknown instruction RUNN/);
  assert.throws(() => parseDockerfile('FROM node:22\nCMD ["a", 1]\n'), /CMD JSON form must be an array of strings/);
  const parsed: Instruction[] = parseDockerfile('# c\nFROM a AS b\nRUN x \\\n  # inner comment\n  && y\n');
  assert.deepEqual(parsed.map((i) => [i.keyword, i.args, i.line, i.stage]), [['FROM', 'a AS b', 2, 0], ['RUN', 'x && y', 3, 0]]);
});
