import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { planSatelliteBrokerUser } from '../../provision/lib/broker-users/satellite-broker-user.js';
import { escapeRegex, exactNames, satellitePermissions } from '../../provision/lib/broker-users/satellite-permissions.js';
import { generateBrokerPassword } from '../../provision/lib/broker-users/broker-password.js';
import { isUsmError } from '../../common/usm-error.js';
import { goldenChecker } from '../support/golden.js';

const FIXED_PASSWORD = 'Fixed-Test_Password-0123456789abcdef';

const expectGolden = goldenChecker('provision/broker-users');

test('the plan for satellite 7 on vhost / (golden)', async () => {
  const plan = planSatelliteBrokerUser({ satelliteId: '7', password: FIXED_PASSWORD });
  await expectGolden('sat-7.json', `${JSON.stringify(plan, null, 2)}\n`);
  assert.equal(plan.user, 'usm-sat-7');
  assert.deepEqual(plan.permissions, {
    configure: '^(usm_poller-sat-7|usm_poller-sat-7\\.dead|usm_poller\\.dlx|usm_poller\\.results)$',
    write: '^(usm_poller-sat-7\\.dead|usm_poller\\.dlx|usm_poller\\.results|amq\\.default)$',
    read: '^(usm_poller-sat-7|usm_poller\\.dlx)$',
  });
});

test('pre-declared shared exchanges and a named vhost (golden); the vhost is URL-encoded in API paths', async () => {
  const plan = planSatelliteBrokerUser({ satelliteId: 'edge_01-b', vhost: 'isp/prod', password: FIXED_PASSWORD, sharedExchanges: 'pre-declared' });
  await expectGolden('sat-edge_01-b-pre-declared.json', `${JSON.stringify(plan, null, 2)}\n`);
  assert.equal(plan.managementApi[1]?.path, '/api/permissions/isp%2Fprod/usm-sat-edge_01-b');
  assert.equal(plan.permissions.configure, '^(usm_poller-sat-edge_01-b|usm_poller-sat-edge_01-b\\.dead)$');
});

test('the password never appears in any argv, only on stdin and in API bodies', () => {
  const plan = planSatelliteBrokerUser({ satelliteId: '7' });
  for (const command of [...plan.rabbitmqctl, ...plan.rabbitmqctlRotate, ...plan.rabbitmqctlRemove]) {
    assert.ok(!command.args.some((arg) => arg.includes(plan.password)));
  }
  assert.equal(plan.rabbitmqctl[0]?.stdin, plan.password);
  assert.deepEqual(plan.rabbitmqctl[0]?.args, ['add_user', 'usm-sat-7']);
  assert.equal(plan.managementApi[0]?.body?.password, plan.password);
});

test('regexes are anchored and escaped: near names do not match', () => {
  const p = satellitePermissions('7');
  const matches = (regex: string, name: string) => new RegExp(regex).test(name);
  for (const name of ['usm_poller-sat-7', 'usm_poller-sat-7.dead', 'usm_poller.dlx', 'usm_poller.results']) assert.ok(matches(p.configure, name), name);
  for (const name of ['usm_poller-sat-70', 'xusm_poller-sat-7', 'usm_poller-sat-7Xdead', 'usm_pollerXdlx', 'usm_poller-sat-1', 'usm_poller', 'amq.default']) {
    assert.ok(!matches(p.configure, name), name);
  }
  assert.ok(matches(p.write, 'amq.default') && !matches(p.write, 'amq.direct') && !matches(p.write, 'usm_poller-sat-7'));
  assert.ok(matches(p.read, 'usm_poller-sat-7') && !matches(p.read, 'usm_poller-sat-7.dead') && !matches(p.read, 'usm_poller.results'));
  assert.equal(escapeRegex('a.b*c+d?e^f$g|h(i)j[k]l{m}n\\o-p'), 'a\\.b\\*c\\+d\\?e\\^f\\$g\\|h\\(i\\)j\\[k\\]l\\{m\\}n\\\\o-p');
  assert.equal(exactNames(['a.b', 'c']), '^(a\\.b|c)$');
});

test('topic permissions: A may publish only result.<A>. keys on the results exchange, in rabbitmqctl and the management API', () => {
  const plan = planSatelliteBrokerUser({ satelliteId: 'edge_01-b', vhost: 'isp/prod', password: FIXED_PASSWORD });
  assert.deepEqual(plan.topicPermissions, [{ exchange: 'usm_poller.results', write: '^result\\.edge_01-b\\.', read: '^$' }]);
  const expected = ['set_topic_permissions', '-p', 'isp/prod', 'usm-sat-edge_01-b', 'usm_poller.results', '^result\\.edge_01-b\\.', '^$'];
  assert.deepEqual(plan.rabbitmqctl.map((c) => c.args[0]), ['add_user', 'set_permissions', 'set_topic_permissions']);
  assert.deepEqual(plan.rabbitmqctl[2]?.args, expected);
  assert.deepEqual(plan.rabbitmqctlRotate[2]?.args, expected, 'rotation re-applies it (users made before it existed get it)');
  assert.deepEqual(plan.managementApi[2], {
    method: 'PUT', path: '/api/topic-permissions/isp%2Fprod/usm-sat-edge_01-b', body: { exchange: 'usm_poller.results', write: '^result\\.edge_01-b\\.', read: '^$' },
  });
  const write = new RegExp(plan.topicPermissions[0]!.write);
  for (const key of ['result.edge_01-b.snmp.get', 'result.edge_01-b.']) assert.ok(write.test(key), key);
  for (const key of ['result.core.snmp.get', 'result.edge_01-bX.snmp.get', 'result.edge_01.snmp.get', 'xresult.edge_01-b.a', 'result.edge_01-b']) assert.ok(!write.test(key), key);
});

test('generated passwords are 43 URL-safe characters and differ', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i += 1) {
    const password = generateBrokerPassword();
    assert.match(password, /^[A-Za-z0-9_-]{43}$/);
    seen.add(password);
  }
  assert.equal(seen.size, 50);
});

test('bad input names the field', () => {
  assert.throws(
    () => planSatelliteBrokerUser({ satelliteId: '7|.*', password: 'short' }),
    (error: unknown) =>
      isUsmError(error) &&
      error.code === 'E_PROVISION_INPUT' &&
      /^satelliteId: /m.test(error.problems.join('\n')) &&
      /^password: must be 16-128/m.test(error.problems.join('\n')),
  );
  assert.throws(() => planSatelliteBrokerUser({ satelliteId: '7', vhost: 'a b' }), /invalid satellite broker user/);
});
