// How a learner started one of the lab's tools (verify, fault), so that its help and error lines give commands that
// work the same way: `docker compose run --rm <tool>` on a Docker-only laptop (docker-compose.yaml sets
// LAB_TOOL_COMMAND for the tool's container), `npm run <tool> --` from the repository (npm sets
// npm_lifecycle_event), `node <folder>/main.ts` otherwise. In verify/ because both tools' containers mount it.

export const TOOL_COMMAND_ENV = 'LAB_TOOL_COMMAND';

export type Tool = 'verify' | 'fault';

/** The command a tool's arguments follow, e.g. `docker compose run --rm fault` or `npm run fault --`. */
export function toolCommand(
  tool: Tool,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const set = env[TOOL_COMMAND_ENV]?.trim();
  if (set !== undefined && set !== '') return set;
  if (env.npm_lifecycle_event === tool) return `npm run ${tool} --`;
  return `node ${tool === 'fault' ? 'faults' : 'verify'}/main.ts`;
}

/** The name a tool's error lines start with: the command without npm's `--`. */
export function toolName(command: string): string {
  return command.replace(/ --$/, '');
}
