import { composeProjectOf } from '../../../src/stack/labels';

describe('composeProjectOf', () => {
  it('names the project of a container compose made (it carries the one-off label, True or False)', () => {
    const made = { 'com.docker.compose.project': 'shop', 'com.docker.compose.oneoff': 'False' };
    expect(composeProjectOf(made)).toBe('shop');
    expect(composeProjectOf({ ...made, 'com.docker.compose.oneoff': 'True' })).toBe('shop');
  });

  it('names none for a container that only inherited the project label from an image compose built', () => {
    expect(
      composeProjectOf({ 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' }),
    ).toBe('');
    expect(composeProjectOf({})).toBe('');
    expect(composeProjectOf(null)).toBe('');
  });
});
