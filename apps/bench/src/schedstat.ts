import { readdirSync, readFileSync } from 'node:fs';

/**
 * How the threads of this process shared the CPUs, from Linux's `/proc/self/task/<tid>/schedstat`
 * ("<ns on a CPU> <ns runnable, waiting for one> <time slices>"). The bench reads it around a cold
 * W3 run to show how much the main thread waited for a core while V8's background threads
 * (optimizing compiles, garbage collection) ran.
 */
export interface ThreadTimes {
  /** Thread id (the main thread's is the process id). */
  tid: number;
  /** Nanoseconds on a CPU. */
  cpuNs: number;
  /** Nanoseconds runnable but waiting for a CPU. */
  waitNs: number;
}

/** Parses one `schedstat` line; null when it is not three numbers. */
export function parseSchedstat(tid: number, text: string): ThreadTimes | null {
  const fields = text.trim().split(/\s+/).map(Number);
  if (fields.length !== 3 || fields.some((v) => !Number.isFinite(v))) return null;
  return { tid, cpuNs: fields[0], waitNs: fields[1] };
}

/** Every thread's times now; empty where `/proc` has no schedstat (not Linux, or not enabled). */
export function threadTimes(): ThreadTimes[] {
  const times: ThreadTimes[] = [];
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return times;
  }
  for (const tid of tids) {
    try {
      const parsed = parseSchedstat(Number(tid), readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8'));
      if (parsed) times.push(parsed);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

/** What happened between two snapshots: the main thread's wait, and the other threads' CPU time (ms). */
export function schedDelta(before: readonly ThreadTimes[], after: readonly ThreadTimes[], mainTid: number) {
  let mainWaitMs = 0;
  let backgroundCpuMs = 0;
  let backgroundThreads = 0;
  for (const t of after) {
    const earlier = before.find((b) => b.tid === t.tid);
    const cpuMs = (t.cpuNs - (earlier?.cpuNs ?? 0)) / 1e6;
    if (t.tid === mainTid) mainWaitMs = (t.waitNs - (earlier?.waitNs ?? 0)) / 1e6;
    else if (cpuMs > 0.5) {
      backgroundCpuMs += cpuMs;
      backgroundThreads++;
    }
  }
  return { mainWaitMs, backgroundCpuMs, backgroundThreads };
}
