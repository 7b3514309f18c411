// docker-compose.yaml's tools (`docker compose run --rm verify|fault …`) as the tests need them: the command a
// container runs and where each container path of it lies in the repository, through the tool's bind mounts.
import path from 'node:path';
import { COMPOSE_FILE, type ComposeService, loadCompose, type RawService } from '../../verify/compose.ts';

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
  /** The service as written in docker-compose.yaml (profiles, networks, build). */
  service: RawService;
  entrypoint: string[];
  workingDir: string;
  environment: Record<string, string>;
  mounts: BindMount[];
}

export function toolDefinition(name: Tool): ToolDefinition {
  const lab = loadCompose(COMPOSE_FILE, {}, { strict: true });
  const service: ComposeService | undefined = lab.services[name];
  const raw = lab.doc.services[name];
  if (service === undefined || raw === undefined)
    throw new Error(`docker-compose.yaml has no service "${name}"`);
  const { entrypoint, workingDir } = service;
  if (entrypoint === undefined || workingDir === undefined) {
    throw new Error(`${name}: needs an entrypoint and a working_dir`);
  }
  const mounts = service.mounts.map((m) => {
    if (m.type !== 'bind') throw new Error(`${name}: ${m.target} is not a bind mount of the repository`);
    return { source: m.source, target: m.target, readOnly: m.readOnly };
  });
  return { name, service: raw, entrypoint, workingDir, environment: service.environment, mounts };
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
