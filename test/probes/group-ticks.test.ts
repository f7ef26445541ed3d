import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupTicks } from '../../src/probes/process/host-cpu.js';
import { parseStat, type ProcStat } from '../../src/probes/process/procfs.js';

const proc = (pid: number, ppid: number, cpuTicks: number, childTicks = 0, startTicks = pid): ProcStat => ({ pid, comm: 'postgres', ppid, cpuTicks, childTicks, startTicks });

test('/proc/<pid>/stat: children time is cutime + cstime', () => {
  const st = parseStat('4242 (postgres) S 1 4242 4242 0 -1 4194560 900 0 0 0 120 30 55 7 20 0 1 0 5000 0 0');
  assert.equal(st.cpuTicks, 150);
  assert.equal(st.childTicks, 62);
  assert.equal(st.startTicks, 5000);
});

test('group CPU: members\' own ticks, newborns in full, and the children they reaped (a backend per connection)', () => {
  const g = new GroupTicks();
  // The postmaster (100) and a long-lived backend (101) that had used 5 000 ticks before the run.
  assert.equal(g.delta([proc(100, 1, 50, 9_000), proc(101, 100, 5_000)]), 0);
  // Interval 1: the backend works 10 ticks; a backend born in the interval (102) has used 4.
  assert.equal(g.delta([proc(100, 1, 50, 9_000), proc(101, 100, 5_010), proc(102, 100, 4)]), 14);
  // Interval 2: three backends were born, worked 3 ticks each and exited unseen: the postmaster reaped them (+9).
  assert.equal(g.delta([proc(100, 1, 50, 9_009), proc(101, 100, 5_012), proc(102, 100, 6)]), 2 + 2 + 9);
  // Interval 3: the long-lived backend exits after 1 more tick. The postmaster's children time takes its whole
  // life (5 013), of which 5 012 were counted: only the tail is new. Its pre-run CPU is not the run's.
  assert.equal(g.delta([proc(100, 1, 51, 9_009 + 5_013), proc(102, 100, 6)]), 1 + 1);
  // A member whose parent is not in the group takes its unseen tail with it (nothing of the group grows).
  const h = new GroupTicks();
  h.delta([proc(200, 1, 10), proc(201, 200, 10), proc(300, 7, 10)]);
  assert.equal(h.delta([proc(200, 1, 10), proc(201, 200, 10)]), 0);
});

test('group CPU: a departed member\'s ticks reaching its parent one read late are owed, never negative', () => {
  const g = new GroupTicks();
  g.delta([proc(100, 1, 0, 0), proc(101, 100, 40)]);
  // 101 is gone but the postmaster's stat was read before it reaped it: nothing yet, and nothing negative.
  assert.equal(g.delta([proc(100, 1, 0, 0)]), 0);
  // The next read sees its 42 ticks in the children time: 2 are new.
  assert.equal(g.delta([proc(100, 1, 0, 42)]), 2);
});
