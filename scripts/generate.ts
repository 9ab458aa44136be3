// `npm run generate`: writes what is made from the registry of settings and the exit-code
// table (src/config/generated.ts says what): action.yml's inputs, README's tables, schemas/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles } from '../src/config/generated';

async function main(): Promise<void> {
  const root = path.join(__dirname, '..');
  for (const [file, content] of Object.entries(await generatedFiles(root))) {
    const full = path.join(root, file);
    let current = '';
    try {
      current = readFileSync(full, 'utf8');
    } catch {
      // A new file.
    }
    if (current === content) continue;
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    console.log(`generate: wrote ${file}`);
  }
}

main().catch((error: unknown) => {
  console.error(`generate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
