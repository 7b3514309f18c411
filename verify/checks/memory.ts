// Every native component within its compose memory limit: the kernel's own figures from the memory cgroup the
// native lab runs it in (verify/apis/cgroup.ts). An OOM kill, or anonymous memory pinned at the limit, fails.
// Under Docker the check is skipped (main.ts): `docker stats` shows each container against its limit.
import type { Check, Outcome } from '../check.ts';
import { logsOf } from '../check.ts';
import { labGroups, memoryProblem, readUsage, type MemoryUsage } from '../apis/cgroup.ts';

const mib = (bytes: number): string => String(Math.round(bytes / 2 ** 20));

export function judgeMemory(usages: readonly MemoryUsage[], ctx: Parameters<typeof logsOf>[0]): Outcome {
  if (usages.length === 0) {
    return {
      ok: false,
      figure: 'no memory cgroup of the native lab found',
      hint: 'npm run native:up runs each component in one (/sys/fs/cgroup/…/otel-spm-lab/<service>)',
    };
  }
  const figure = usages
    .map((u) => `${u.service} ${mib(u.peakBytes)}/${mib(u.limitBytes)}`)
    .join(' · ')
    .concat(' MiB (peak/limit)');
  const problems = usages.flatMap((u) => memoryProblem(u) ?? []);
  if (problems.length === 0) return { ok: true, figure };
  const services = usages.filter((u) => memoryProblem(u) !== undefined).map((u) => u.service);
  return {
    ok: false,
    figure: problems.join('; '),
    hint: `raise deploy.resources.limits.memory of ${services.join(', ')} in docker-compose.yaml (or find what grew): ${logsOf(ctx, ...services)}`,
  };
}

export const memoryLimits: Check = {
  id: 'memory.limits',
  component: 'memory',
  title: 'every component within its limit',
  run: (ctx) =>
    Promise.resolve(
      judgeMemory(
        labGroups().flatMap((service) => readUsage(service) ?? []),
        ctx,
      ),
    ),
};

export const memoryChecks: Check[] = [memoryLimits];
