// The imports of `init`, each on a real file (__tests__/fixtures/imports/README.md says where
// each comes from): what is kept, what is dropped and why, and that what is written loads.
import * as path from 'node:path';
import { requestMixSchema } from '../../../src/config/request-mix';
import { importMix } from '../../../src/imports';

const fixture = (name: string): string => path.join(__dirname, '../../fixtures/imports', name);

describe('init --openapi on the Swagger Petstore document', () => {
  it('keeps the operations callable without unknown values, with the examples of the document', async () => {
    const result = await importMix('openapi', fixture('petstore-openapi.yaml'));
    expect(result.requests.map((r) => `${r.method} ${r.path} ${r.name} ${r.weight}`)).toEqual([
      'GET /api/v3/pet/findByStatus findPetsByStatus 3',
      'GET /api/v3/pet/findByTags findPetsByTags 3',
      'GET /api/v3/store/inventory getInventory 3',
      'POST /api/v3/store/order placeOrder 1',
      'POST /api/v3/user createUser 1',
      'POST /api/v3/user/createWithList createUsersWithListInput 1',
      'GET /api/v3/user/login loginUser 3',
      'GET /api/v3/user/logout logoutUser 3',
    ]);
    // A body built from the schema's property examples.
    expect(result.requests.find((r) => r.name === 'placeOrder')?.json).toEqual({
      id: 10,
      petId: 198772,
      quantity: 7,
      status: 'approved',
    });
    // What the mix loads as, as `requests:` in a run config.
    expect(requestMixSchema.safeParse(result.requests).success).toBe(true);
  });

  it('drops, saying why, the operations that need a value the document does not give', async () => {
    const result = await importMix('openapi', fixture('petstore-openapi.yaml'));
    expect(result.dropped).toEqual(
      expect.arrayContaining([
        { what: 'GET /api/v3/pet/{petId}', why: 'no example for the required path parameter petId' },
        { what: 'GET /api/v3/user/{username}', why: 'no example for the required path parameter username' },
        // Pet's photoUrls is required and has no example.
        { what: 'POST /api/v3/pet', why: 'its JSON body has no example (in the document or its schema)' },
      ]),
    );
    expect(result.dropped).toHaveLength(11);
  });

  it('refuses what is not an OpenAPI 3 document', async () => {
    await expect(importMix('openapi', fixture('README.md'))).rejects.toThrow('not an OpenAPI 3 document');
    await expect(importMix('har', 'http://127.0.0.1:9/x.har')).rejects.toThrow(
      '--har reads a file, not a URL',
    );
  });
});

describe('init --har on a recording of the storefront fixture in Chromium', () => {
  it("keeps the shop's own requests weighted as seen, ids drawn from those seen", async () => {
    const result = await importMix('har', fixture('storefront.har'));
    expect(result.requests).toEqual([
      { name: 'item', weight: 6, method: 'GET', path: '/item/{{id}}', values: { id: { pick: [42, 7, 13] } } },
      { name: 'root', weight: 1, method: 'GET', path: '/' },
      { name: 'health', weight: 1, method: 'GET', path: '/health' },
    ]);
    expect(requestMixSchema.safeParse(result.requests).success).toBe(true);
  });

  it('drops static assets, the third-party host and error answers, saying why', async () => {
    const { dropped } = await importMix('har', fixture('storefront.har'));
    expect(dropped).toEqual(
      expect.arrayContaining([
        { what: 'GET /static/shop.css', why: 'a static .css file' },
        { what: 'GET /static/shop.js', why: 'a static .js file' },
        { what: 'GET /static/logo.png', why: 'a static .png file' },
        {
          what: 'requests to localhost:8081',
          why: "a third-party host (the recording's host is 127.0.0.1:8080)",
        },
        { what: 'GET /item/1001 answered 404', why: 'an error answer: not what users ask for' },
      ]),
    );
  });
});

describe("init --access-log on the storefront fixture's nginx log of the same visit", () => {
  it('keeps what was answered, weighted as seen, and drops assets and errors, saying why', async () => {
    const result = await importMix('access-log', fixture('storefront-access.log'));
    expect(result.requests).toEqual([
      { name: 'item', weight: 6, method: 'GET', path: '/item/{{id}}', values: { id: { pick: [42, 7, 13] } } },
      { name: 'health', weight: 2, method: 'GET', path: '/health' },
      { name: 'root', weight: 1, method: 'GET', path: '/' },
    ]);
    expect(result.dropped).toEqual(
      expect.arrayContaining([
        // The recorder's own readiness probes, before the application answered.
        { what: 'GET /health answered 502 (2×)', why: 'an error answer: not what users ask for' },
        { what: 'GET /favicon.ico', why: 'a static .ico file' },
        { what: 'GET /item/1001 answered 404', why: 'an error answer: not what users ask for' },
      ]),
    );
  });

  it('drops a line that is not the combined format and a write, whose body a log does not hold', async () => {
    const { importAccessLog } = await import('../../../src/imports');
    const result = importAccessLog(
      'garbage\n127.0.0.1 - - [06/Dec/2026:07:00:32 +0000] "POST /orders HTTP/1.1" 201 5 "-" "curl"\n',
    );
    expect(result.requests).toEqual([]);
    expect(result.dropped).toEqual([
      { what: 'line 1', why: 'not in the combined log format' },
      { what: 'POST /orders', why: 'a write: an access log does not record its body' },
    ]);
  });
});
