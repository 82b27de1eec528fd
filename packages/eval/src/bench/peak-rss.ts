import { existsSync, readFileSync } from 'node:fs';

/**
 * This process's peak resident set size in MiB: Linux's VmHWM (the high-water mark of its own
 * address space), else `process.resourceUsage().maxRSS`.
 */
export function peakRssMiB(): number {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}
