// The image a built service starts FROM, read from its Dockerfile: the stage compose builds
// (`target:`, else the last), followed through stage names (`FROM builder`) to an image. It is
// evidence of what the service is (a Dockerfile FROM nginx builds a proxy); nothing is built.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ComposeBuild } from './compose-model';

interface Stage {
  from: string;
  name: string | null;
}

/** The stages of a Dockerfile, in order (`FROM [--platform=...] image [AS name]`). Pure. */
export function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  // Line continuations join a FROM that spans lines; comments and directives are skipped.
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of lines) {
    const match = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line);
    if (match) stages.push({ from: match[1], name: match[2]?.toLowerCase() ?? null });
  }
  return stages;
}

/** The image the built stage starts from, following stage names; null when it cannot be told. */
export function baseImage(stages: Stage[], target: string | null): string | null {
  let index = target ? stages.findIndex((s) => s.name === target.toLowerCase()) : stages.length - 1;
  for (let hops = 0; index >= 0 && hops < stages.length; hops++) {
    const from = stages[index].from;
    const earlier = stages.slice(0, index).findIndex((s) => s.name === from.toLowerCase());
    if (earlier < 0) return /\$/.test(from) || from === 'scratch' ? null : from;
    index = earlier;
  }
  return null;
}

/** Where a build's Dockerfile is and the image it starts FROM; null when it cannot be read. */
export function builtFrom(build: ComposeBuild): { image: string; file: string } | null {
  if (build.inline !== null) {
    const image = baseImage(dockerfileStages(build.inline), build.target);
    return image ? { image, file: 'dockerfile_inline' } : null;
  }
  if (/^[a-z]+:\/\//i.test(build.context) || build.context.startsWith('git@')) return null;
  const file = path.resolve(build.context, build.dockerfile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const image = baseImage(dockerfileStages(text), build.target);
  return image ? { image, file: path.join(path.basename(build.context), build.dockerfile) } : null;
}
