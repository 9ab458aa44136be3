// The public stacks (__tests__/fixtures/public-stacks/README.md) as a user's checkout on this
// machine: the upstream files copied unchanged, and beside them a compose.override.yaml, which
// compose (and so `chaos-action init`) reads with compose.yaml, holding what this machine
// needs and nothing else:
// - every published port on loopback, on a port the engine picks (`!override`): the upstream
//   files publish 80, 8000 and 6379 on every interface, and tests here stay on loopback and
//   run side by side;
// - a Dockerfile whose first line asks for the docker/dockerfile:1.4 frontend image is built
//   from its own text without that line (`dockerfile_inline`): no registry can be reached
//   here, and the engine's built-in frontend reads every instruction those files use.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

export const PUBLIC_STACKS = [
  'flask-redis',
  'nginx-nodejs-redis',
  'nginx-flask-mysql',
  'nginx-golang-postgres',
];
export const PUBLIC_STACKS_DIR = path.join(__dirname, '../fixtures/public-stacks');

interface UpstreamService {
  ports?: unknown[];
  build?: string | { context?: string; dockerfile?: string; target?: string };
}

/** The override this machine needs for one stack's compose file (see above). */
export function localOverride(stackDir: string, composeFile = 'compose.yaml'): string {
  const doc = parse(readFileSync(path.join(stackDir, composeFile), 'utf8')) as {
    services: Record<string, UpstreamService>;
  };
  const lines = [
    '# What this machine needs beside the upstream compose.yaml (__tests__/helpers/public-stacks.ts).',
    'services:',
  ];
  for (const [name, service] of Object.entries(doc.services)) {
    const own: string[] = [];
    if (Array.isArray(service.ports) && service.ports.length) {
      const targets = service.ports.map((p) => String(p).split('/')[0].split(':').pop() as string);
      own.push(`    ports: !override [${targets.map((t) => `'127.0.0.1::${t}'`).join(', ')}]`);
    }
    if (service.build) {
      const build = typeof service.build === 'string' ? { context: service.build } : service.build;
      const file = path.join(stackDir, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
      const text = readFileSync(file, 'utf8');
      if (/^#\s*syntax\s*=/.test(text)) {
        // `$$`: compose interpolates the override's strings, and the Dockerfile's $BUILDPLATFORM is the engine's.
        const inline = text.replace(/^#\s*syntax\s*=.*\n/, '').replace(/\$/g, '$$$$');
        own.push('    build:', `      dockerfile_inline: ${JSON.stringify(inline)}`);
      }
    }
    if (own.length) lines.push(`  ${name}:`, ...own);
  }
  return `${lines.join('\n')}\n`;
}

/** A fresh checkout of one public stack with its local override, as a user's repository. */
export function checkoutPublicStack(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `chaos-public-${name}-`));
  cpSync(path.join(PUBLIC_STACKS_DIR, name), dir, { recursive: true });
  writeFileSync(path.join(dir, 'compose.override.yaml'), localOverride(dir));
  return dir;
}
