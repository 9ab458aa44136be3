// Compose v1 and v2 both set these labels; they are the only way we find containers,
// because the two versions name containers differently (project_service_1 vs project-service-1).
export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const ONEOFF_LABEL = 'com.docker.compose.oneoff';

/** A service's role label: `dev.chaos-action.role: cache` (several: `telemetry,tracing`). */
export const ROLE_LABEL = 'dev.chaos-action.role';

/** The roles a role label names: one, or several separated by commas (`telemetry,tracing`). */
export function labelRoles(label: string | undefined): string[] {
  return (label ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
}
