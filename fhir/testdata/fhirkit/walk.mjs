// walk.mjs BASE TOKEN MODULES_DIR: searches ExplanationOfBenefit with
// fhir-kit-client and follows nextPage until it ends, then prints
// {"total": N, "ids": [...], "pages": P} for fhirkit_test.go to check.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [base, token, modules] = process.argv.slice(2);
const mod = await import(pathToFileURL(join(modules, 'node_modules', 'fhir-kit-client', 'dist', 'index.js')).href);
const Client = mod.default ?? mod.Client;
const client = new Client({ baseUrl: base, bearerToken: token });

let bundle = await client.search({ resourceType: 'ExplanationOfBenefit', searchParams: { _count: 10 } });
const total = bundle.total;
const ids = [];
let pages = 0;
while (bundle) {
  pages++;
  for (const e of bundle.entry ?? []) ids.push(e.resource.id);
  bundle = await client.nextPage({ bundle });
}
console.log(JSON.stringify({ total, ids, pages }));
