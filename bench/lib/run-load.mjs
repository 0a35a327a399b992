/**
 * One load run: the load child (lib/load.mjs, or lib/flow.mjs which speaks the same
 * protocol) on the load core, with the server's CPU time and both cores' busy time
 * read around the measured phase only, so warm-up and start-up are not counted and
 * other processes' share of the cores can be told apart.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BENCH } from './paths.mjs';
import { coreDelta, coreTimes, cpuTimes } from './proc.mjs';
import { HAS_TASKSET, pinned, track } from './processes.mjs';
import { LOADER_CPU, SERVER_CPU } from './settings.mjs';

/**
 * Runs the load child (lib/load.mjs, or another driver speaking its protocol such as
 * lib/flow.mjs): warm-up, then (CPU read) the measured phase.
 */
export function runLoad(spec, pid, driver = 'load.mjs') {
  const [command, ...args] = pinned(LOADER_CPU, [process.execPath, join(BENCH, 'lib', driver), JSON.stringify(spec)]);
  const child = track(spawn(command, args, { cwd: BENCH, stdio: ['pipe', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  return new Promise((resolve, reject) => {
    const limit = (spec.warmupSeconds + spec.seconds + 60) * 1000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load generator did not finish within ${limit / 1000} s`));
    }, limit);
    let buffered = '';
    let before;
    let result;
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const message = JSON.parse(line);
        if (message.event === 'warm') {
          before = { process: cpuTimes(pid), cores: coreTimes() };
          child.stdin.write('go\n');
        } else if (message.event === 'result') {
          const after = { process: cpuTimes(pid), cores: coreTimes() };
          const serverUserMicros = after.process.user - before.process.user;
          const serverSysMicros = after.process.sys - before.process.sys;
          const serverCore = coreDelta(before.cores, after.cores, SERVER_CPU);
          const loaderCore = coreDelta(before.cores, after.cores, LOADER_CPU);
          const loaderMicros = (message.loaderCpuPercent / 100) * message.seconds * 1e6;
          // Work on the two benchmark cores that is neither ours nor the kernel's
          // network handling: another process (a build, a test run) competing with us.
          const foreign = (core, ours) => (core && HAS_TASKSET ? Math.max(0, (core.busy - core.irq - ours) / core.total) : NaN);
          result = {
            ...message,
            serverUserMicros,
            serverSysMicros,
            serverCoreBusyPercent: serverCore ? (serverCore.busy / serverCore.total) * 100 : NaN,
            foreignServerCorePercent: foreign(serverCore, serverUserMicros + serverSysMicros) * 100,
            foreignLoaderCorePercent: foreign(loaderCore, loaderMicros) * 100,
          };
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (result && code === 0) resolve(result);
      else reject(new Error(`load generator exited ${code}\n${stderr}`));
    });
  });
}
