import { chooseSuite } from '../../../src/action/inputs';

const pr = (labels: string[]) => ({ pull_request: { labels: labels.map((name) => ({ name })) } });

describe('chooseSuite', () => {
  it('runs the default suite on a pull request', () => {
    expect(
      chooseSuite({
        suiteInput: 'auto',
        eventName: 'pull_request',
        payload: pr([]),
        fullSuiteLabel: 'chaos:full',
      }),
    ).toEqual({
      suite: 'default',
      why: 'pull_request event',
    });
  });

  it('runs the full suite when the pull request carries the label', () => {
    expect(
      chooseSuite({
        suiteInput: '',
        eventName: 'pull_request',
        payload: pr(['bug', 'chaos:full']),
        fullSuiteLabel: 'chaos:full',
      }).suite,
    ).toBe('full');
    expect(
      chooseSuite({
        suiteInput: 'auto',
        eventName: 'pull_request',
        payload: pr(['chaos:fast']),
        fullSuiteLabel: 'chaos:full',
      }).suite,
    ).toBe('default');
  });

  it('runs the full suite on schedule and what workflow_dispatch asks for', () => {
    expect(
      chooseSuite({ suiteInput: 'auto', eventName: 'schedule', payload: {}, fullSuiteLabel: 'chaos:full' })
        .suite,
    ).toBe('full');
    expect(
      chooseSuite({
        suiteInput: 'auto',
        eventName: 'workflow_dispatch',
        payload: { inputs: { suite: 'default' } },
        fullSuiteLabel: 'x',
      }),
    ).toEqual({ suite: 'default', why: 'workflow_dispatch input suite=default' });
  });

  it('lets an explicit suite input win over everything', () => {
    expect(
      chooseSuite({
        suiteInput: 'full',
        eventName: 'pull_request',
        payload: pr([]),
        fullSuiteLabel: 'chaos:full',
      }),
    ).toEqual({
      suite: 'full',
      why: 'suite input "full"',
    });
  });
});
