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
