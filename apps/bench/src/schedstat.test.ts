import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSchedstat, schedDelta, threadTimes } from './schedstat.js';

describe('thread times from /proc/<pid>/task/<tid>/schedstat', () => {
  it('parses the three numbers of a schedstat line, and refuses anything else', () => {
    expect(parseSchedstat(7, '158043210 36000000 912\n')).toEqual({ tid: 7, cpuNs: 158043210, waitNs: 36000000 });
    expect(parseSchedstat(7, '')).toBeNull();
    expect(parseSchedstat(7, '1 2')).toBeNull();
    expect(parseSchedstat(7, '1 x 3')).toBeNull();
  });

  it("splits the change between snapshots into the main thread's wait and the other threads' CPU time", () => {
    const before = [
      { tid: 10, cpuNs: 5e6, waitNs: 1e6 },
      { tid: 11, cpuNs: 2e6, waitNs: 0 },
    ];
    const after = [
      { tid: 10, cpuNs: 150e6, waitNs: 31e6 },
      { tid: 11, cpuNs: 42e6, waitNs: 60e6 },
      // Started during the run; counts from zero.
      { tid: 12, cpuNs: 8e6, waitNs: 1e6 },
      // Idle: not counted as a background thread.
      { tid: 13, cpuNs: 0.1e6, waitNs: 0 },
    ];
    expect(schedDelta(before, after, 10)).toEqual({ mainWaitMs: 30, backgroundCpuMs: 48, backgroundThreads: 2 });
  });

  it("reads this process's threads on Linux, the main thread among them", () => {
    const times = threadTimes();
    // Empty where there is no schedstat (not Linux, or a kernel without it); else every thread's.
    if (times.length > 0) expect(times.find((t) => t.tid === process.pid)?.cpuNs).toBeGreaterThan(0);
    else
      expect(
        process.platform !== 'linux' || readdirSync('/proc/self/task').every((tid) => !existsSync(`/proc/self/task/${tid}/schedstat`)),
      ).toBe(true);
  });
});
