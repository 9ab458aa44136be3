import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderJUnit, writeJUnit } from '../../../src/report/junit';
import {
  HOSTILE_LOG_LINE,
  buildFault,
  buildRun,
  buildScenario,
  buildThreshold,
  errorScenario,
  failingScenario,
  inconclusiveScenario,
} from '../../helpers/sample-results';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Checks that text has no raw '<' and that every '&' starts a known entity. */
function checkText(s: string, where: string): void {
  if (s.includes('<')) throw new Error(`raw < in ${where}: ${s.slice(0, 80)}`);
  if (s.replace(ENTITY, '').includes('&')) throw new Error(`bare & in ${where}: ${s.slice(0, 80)}`);
}

/**
 * A small strict parser for the subset of XML we emit: a declaration, elements with
 * double-quoted attributes, text. Throws on anything not well-formed (unbalanced or
 * mismatched tags, raw < or bare & in text or attributes, duplicate attributes,
 * content after the root).
 */
function parseXml(xml: string): XmlElement {
  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  if (!decl) throw new Error('missing XML declaration');
  i = decl[0].length;
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    checkText(text, `text of <${stack[stack.length - 1].name}>`);
    if (stack.length === 1 && text.trim()) throw new Error('text outside the root');
    stack[stack.length - 1].text += decode(text);
    if (lt === -1) break;
    const gt = xml.indexOf('>', lt);
    if (gt === -1) throw new Error('unterminated tag');
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop()!;
      if (open.name !== tag.slice(1)) throw new Error(`</${tag.slice(1)}> closes <${open.name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"]*")*)\s*\/?$/.exec(tag);
    if (!m) throw new Error(`malformed tag <${tag.slice(0, 80)}>`);
    const attrs: Record<string, string> = {};
    for (const a of m[2].matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]}`);
      checkText(a[2], `attribute ${a[1]}`);
      attrs[a[1]] = decode(a[2]);
    }
    const el: XmlElement = { name: m[1], attrs, children: [], text: '' };
    if (stack.length === 1 && root.children.length > 0) throw new Error('two root elements');
    stack[stack.length - 1].children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (root.children.length !== 1) throw new Error('no root element');
  return root.children[0];
}

const all = (el: XmlElement, name: string): XmlElement[] =>
  el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);

describe('JUnit XML', () => {
  const run = buildRun([buildScenario(), failingScenario(), inconclusiveScenario(), errorScenario()]);

  it('is well-formed: one testsuite per scenario, one testcase per threshold, counts right', () => {
    const root = parseXml(renderJUnit(run));
    expect(root.name).toBe('testsuites');
    const suites = all(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual([
      'redis-failure',
      'redis-failure-naive',
      'telemetry-outage',
      'memory-pressure',
    ]);
    const cases = all(root, 'testcase');
    expect(cases).toHaveLength(3 + 3 + 2 + 1);
    expect(all(root, 'failure')).toHaveLength(2);
    expect(all(root, 'skipped')).toHaveLength(1);
    expect(all(root, 'error')).toHaveLength(1);
    expect(root.attrs).toMatchObject({ tests: '9', failures: '2', errors: '1', skipped: '1' });
    for (const s of suites) {
      const sc = all(s, 'testcase');
      expect(Number(s.attrs.tests)).toBe(sc.length);
      expect(Number(s.attrs.failures)).toBe(all(s, 'failure').length);
      expect(Number(s.attrs.errors)).toBe(all(s, 'error').length);
      expect(Number(s.attrs.skipped)).toBe(all(s, 'skipped').length);
    }
  });

  it('a failure names actual vs limit; the testcase is the threshold as written, with file and line', () => {
    const root = parseXml(renderJUnit(run));
    const naive = all(root, 'testsuite').find((s) => s.attrs.name === 'redis-failure-naive')!;
    const p95 = all(naive, 'testcase').find((c) => c.attrs.name === 'fault: p95 < 500ms')!;
    expect(p95.attrs).toMatchObject({
      classname: 'redis-failure-naive',
      file: 'scenarios/redis-failure.yml',
      line: '14',
    });
    const [failure] = all(p95, 'failure');
    expect(failure.attrs.message).toBe('fault p95 612ms > 500ms');
    expect(failure.text).toContain('actual: 612ms');
    expect(failure.text).toContain('limit: < 500ms');
    const telemetry = all(root, 'testsuite').find((s) => s.attrs.name === 'telemetry-outage')!;
    expect(all(telemetry, 'skipped')[0].attrs.message).toContain('not evaluated (inconclusive)');
  });

  it('an errored scenario without thresholds still yields an <error> testcase', () => {
    const root = parseXml(renderJUnit(buildRun([errorScenario('boom', { thresholds: [] })])));
    const [c] = all(root, 'testcase');
    expect(c.attrs.name).toBe('(scenario)');
    expect(all(c, 'error')[0].attrs.message).toContain('stack did not become healthy');
  });

  it('escapes hostile text in names, attributes and system-out; strips characters XML forbids', () => {
    const hostile = failingScenario('a<b>&"c"', {
      hypothesis: `it's "fine" & <ok>`,
      reason: '',
      notes: [`${HOSTILE_LOG_LINE} \u0000\u0007 ]]>`],
      logMatches: [{ service: 'api', line: `\u001b[31m<![CDATA[ x ]]>\u001b[0m & \ud800`, atMs: 1 }],
      thresholds: [
        buildThreshold({
          source: 'log api contains "<err>" & \'x\'',
          passed: false,
          actual: '0 & <1>',
          limit: '> 0',
        }),
      ],
    });
    const xml = renderJUnit(buildRun([hostile]));
    expect(xml).not.toContain('<img');
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const root = parseXml(xml);
    const suite = all(root, 'testsuite')[0];
    expect(suite.attrs.name).toBe('a<b>&"c"');
    expect(all(suite, 'property').find((p) => p.attrs.name === 'hypothesis')!.attrs.value).toBe(
      `it's "fine" & <ok>`,
    );
    expect(all(suite, 'testcase')[0].attrs.name).toBe('log api contains "<err>" & \'x\'');
    const out = all(suite, 'system-out')[0].text;
    expect(out).toContain('</details><img src=x onerror=alert(1)>');
    expect(out).toContain('<![CDATA[ x ]]>');
  });

  it('lists every fault of a multi-fault scenario in system-out, in injection order', () => {
    const cache = buildFault();
    const metrics = buildFault({
      targets: ['prometheus', 'a1b2c3d4e5f6'],
      evidence: ['prometheus state=exited'],
    });
    const scenario = buildScenario({ name: 'game-day' }, { fault: cache, faults: [cache, metrics] });
    const out = all(all(parseXml(renderJUnit(buildRun([scenario]))), 'testsuite')[0], 'system-out')[0].text;
    const lines = out.split('\n').filter((l) => l.startsWith('fault: '));
    expect(lines).toEqual(['fault: stop on redis, 3f2a9c1b7d4e', 'fault: stop on prometheus, a1b2c3d4e5f6']);
    expect(out).toContain('  prometheus state=exited');
  });

  it('writeJUnit writes the document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'junit-'));
    const path = join(dir, 'chaos.xml');
    await writeJUnit(run, path);
    expect(await readFile(path, 'utf8')).toBe(renderJUnit(run));
  });
});
