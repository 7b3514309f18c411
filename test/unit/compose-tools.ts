// docker-compose.yaml's tools (`docker compose run --rm verify|fault …`) as the tests need them: the command a
// container runs and where each container path of it lies in the repository, through the tool's bind mounts.
import path from 'node:path';
import { type ComposeService, environmentOf, readCompose, ROOT } from './compose.ts';

export const TOOLS = ['verify', 'fault'] as const;
export type Tool = (typeof TOOLS)[number];

export interface BindMount {
  /** Absolute host path. */
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ToolDefinition {
  name: Tool;
  service: ComposeService;
  entrypoint: string[];
  workingDir: string;
  environment: Map<string, string>;
  mounts: BindMount[];
}

export function toolDefinition(name: Tool): ToolDefinition {
  const service = readCompose().services[name];
  if (service === undefined) throw new Error(`docker-compose.yaml has no service "${name}"`);
  const { entrypoint, working_dir: workingDir } = service;
  if (!Array.isArray(entrypoint) || workingDir === undefined) {
    throw new Error(`${name}: needs an entrypoint list and a working_dir`);
  }
  const mounts = (service.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') throw new Error(`${name}: write volumes in short syntax`);
    const [source = '', target = '', mode = ''] = volume.split(':');
    return { source: path.resolve(ROOT, source), target, readOnly: mode.split(',').includes('ro') };
  });
  return { name, service, entrypoint, workingDir, environment: environmentOf(service), mounts };
}

/** The bind mount a container path lies in (the deepest one, as Docker stacks them), or undefined. */
export function mountOf(containerPath: string, mounts: readonly BindMount[]): BindMount | undefined {
  return mounts
    .filter((m) => containerPath === m.target || containerPath.startsWith(`${m.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
}

/** The host path behind a container path, or undefined when no bind mount covers it. */
export function hostPathOf(containerPath: string, mounts: readonly BindMount[]): string | undefined {
  const mount = mountOf(containerPath, mounts);
  return mount === undefined
    ? undefined
    : path.join(mount.source, path.posix.relative(mount.target, containerPath));
}

/** The repository file the tool's `node <script>` runs. */
export function toolScript(tool: ToolDefinition): string {
  const script = tool.entrypoint[1] ?? '';
  const host = hostPathOf(path.posix.resolve(tool.workingDir, script), tool.mounts);
  if (host === undefined) throw new Error(`${tool.name}: ${script} is not in a mounted folder`);
  return host;
}
