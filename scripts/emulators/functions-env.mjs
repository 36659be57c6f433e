// The Functions emulator asks interactively for every param that has no value in
// functions/.env.<project>, even when it has a default. This writes that file for a local
// project: each param's default, with the given overrides (the local chain's endpoint, say).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export function writeFunctionsEnv(functionsDir, projectId, overrides = {}) {
  const require = createRequire(join(functionsDir, 'package.json'));
  const { params } = require('./lib/config/params.js');
  const lines = params.map(
    (param) => `${param.name}=${overrides[param.name] ?? param.options?.default ?? ''}`,
  );
  const known = new Set(params.map((param) => param.name));
  for (const [name, value] of Object.entries(overrides))
    if (!known.has(name)) lines.push(`${name}=${value}`);
  const path = join(functionsDir, `.env.${projectId}`);
  writeFileSync(
    path,
    `# Written by scripts/emulators/functions-env.mjs for the local project ${projectId}.\n${lines.join('\n')}\n`,
  );
  return path;
}
