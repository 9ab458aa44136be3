// Compose v1 and v2 both set these labels; they are the only way we find containers,
// because the two versions name containers differently (project_service_1 vs project-service-1).
export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const ONEOFF_LABEL = 'com.docker.compose.oneoff';

/**
 * The compose project a container belongs to, '' for none. Compose writes its project label on
 * the images it builds, and a container inherits its image's labels: one started by hand from
 * such an image carries the project label too, but not the one-off label, which compose sets
 * (True or False) on every container it makes itself.
 */
export function composeProjectOf(labels: Readonly<Record<string, string>> | null | undefined): string {
  return labels && ONEOFF_LABEL in labels ? (labels[PROJECT_LABEL] ?? '') : '';
}

/** A service's role label: `dev.chaos-action.role: cache` (several: `telemetry,tracing`). */
export const ROLE_LABEL = 'dev.chaos-action.role';

/** The roles a role label names: one, or several separated by commas (`telemetry,tracing`). */
export function labelRoles(label: string | undefined): string[] {
  return (label ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
}
