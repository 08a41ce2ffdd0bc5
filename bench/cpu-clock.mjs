// `--import`ed by bench/packages.ts into each package script's process with BENCH_CLOCK=cpu: performance.now()
// reads the process's CPU time (user + system, all threads, V8's compiler and GC threads included) in
// milliseconds, so the scripts' "first" and "steady" times are CPU time, which other jobs on a loaded machine
// inflate far less than wall time. Differences of performance.now() stay meaningful; its origin does not.
performance.now = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
