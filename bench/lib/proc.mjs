/**
 * Readings from Linux's /proc: CPU time of a process tree, per-core busy time (to
 * tell our work from other processes' on the benchmark cores) and RSS. Off Linux
 * they answer NaN or nothing, and the report says n/a.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime and stime of the whole process (all threads), in microseconds. */
export function cpuTimes(pid) {
  // The whole process tree: with `start --workers` the serving is done by the children.
  let user = 0;
  let sys = 0;
  for (const one of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${one}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
      user += (Number(fields[11]) / CLK_TCK) * 1e6;
      sys += (Number(fields[12]) / CLK_TCK) * 1e6;
    } catch {
      if (one === pid) return { user: NaN, sys: NaN };
    }
  }
  return { user, sys };
}

/** A process and its descendants (Linux: /proc/PID/task/TID/children), the process first. */
export function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${all[i]}/task`)) {
        const children = readFileSync(`/proc/${all[i]}/task/${task}/children`, 'utf8').trim();
        if (children) all.push(...children.split(' ').map(Number));
      }
    } catch {
      // gone, or no children file on this kernel: the process alone
    }
  }
  return all;
}

/**
 * Per-CPU times from /proc/stat, in microseconds: busy (everything but idle and
 * iowait), total, and irq+softirq (loopback traffic is handled there).
 */
export function coreTimes() {
  const cores = {};
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const match = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!match) continue;
      const [user, nice, system, idle, iowait, irq, softirq, steal] = match[2].split(/\s+/).map(Number);
      const us = (ticks) => (ticks / CLK_TCK) * 1e6;
      cores[match[1]] = {
        busy: us(user + nice + system + irq + softirq + steal),
        total: us(user + nice + system + idle + iowait + irq + softirq + steal),
        irq: us(irq + softirq),
      };
    }
  } catch {
    // not Linux: no core figures
  }
  return cores;
}

export function coreDelta(before, after, cpu) {
  const a = after[cpu];
  const b = before[cpu];
  if (!a || !b) return undefined;
  return { busy: a.busy - b.busy, total: a.total - b.total, irq: a.irq - b.irq };
}

/** VmRSS / VmHWM in MB, or NaN where /proc is not there. */
export function memoryMB(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Resets VmHWM to the current RSS (Linux >= 4.0), so the peak is the peak under load. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
