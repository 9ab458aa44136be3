// Text helpers shared by the report renderers: the one escaping path. Everything that did not
// come from our own code (container output, error messages, scenario text, a fork's results
// file) goes through one of these before it reaches markdown, HTML, XML, a check run or the
// log, by the context it lands in:
//   escapeInline / inlineCode  markdown text and table cells
//   htmlText / preBlock        inside raw HTML (a <summary>, a <pre>)
//   plainText                  text GitHub shows as it is (a check run's title, an annotation)
//   escapeXml                  JUnit XML
//   neutralizeWorkflowCommands the Actions log
// Every GitHub surface also gets neutralize(): no mention, no issue reference, no bare URL.
// Pure functions.

/** Size of a string in UTF-8 bytes: GitHub's limits are in bytes for our purposes. */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

// ANSI colour / cursor sequences (docker logs are full of them) and the C0/C1
// control characters other than tab and newline.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** The bidi embeddings, overrides and isolates: they reorder what is shown ("Trojan source"). */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
/** Every C0 and C1 control character, ESC included, and the bidi overrides that reorder what is shown. */
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Removes ANSI escape sequences, control characters and bidi overrides, normalises line endings. */
export function stripControl(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(ANSI, '').replace(CONTROL, '').replace(BIDI, '');
}

/** U+2060 WORD JOINER: invisible, not whitespace, and enough to break a mention, a reference or a command. */
const JOINER = '\u2060';

/**
 * Breaks `@name` mentions and `#123` / `GH-123` references so GitHub neither notifies people
 * and teams nor links issues from text the stack or a scenario wrote: a word joiner after the
 * `@` or `#`. An e-mail address (a letter or digit before the `@`) is left as it is.
 */
export function neutralizeMentions(s: string): string {
  return s
    .replace(/(^|[^A-Za-z0-9])@(?=[A-Za-z0-9])/g, `$1@${JOINER}`)
    .replace(/#(?=\d)/g, `#${JOINER}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1-${JOINER}`);
}

/**
 * Breaks bare URLs so GitHub does not link them (nor make a cross-reference of an issue's or
 * a pull request's URL): a word joiner after the scheme's colon (`https:⁠//…`) and after a
 * leading `www`. The links our own code writes (`[run](https://…)`) do not pass through here.
 */
export function neutralizeUrls(s: string): string {
  return s
    .replace(/\b([a-z][a-z0-9+.-]{0,31}):(?=\/\/)/gi, `$1:${JOINER}`)
    .replace(/\b(www)(?=\.)/gi, `$1${JOINER}`);
}

/** What every text bound for a GitHub surface gets: no live mention, reference or bare URL. */
export function neutralize(s: string): string {
  return neutralizeUrls(neutralizeMentions(s));
}

/**
 * Text from outside our code, safe to print in an Actions log: a line that starts (after
 * blanks) with `::` or `##[` would be run by the runner as a workflow command (an annotation,
 * add-mask, stop-commands...). The word joiner keeps the text readable and the runner inert.
 * Multi-line text stays multi-line. (core.warning/error encode their own newlines.)
 */
export function neutralizeWorkflowCommands(s: string): string {
  return s.replace(
    /^(\s*)(::|##\[)/gm,
    (_, blank: string, mark: string) => `${blank}${mark[0]}${JOINER}${mark.slice(1)}`,
  );
}

/**
 * Text from outside our code, safe on a terminal: escape sequences (colours, cursor moves,
 * OSC titles and hyperlinks) and control characters are shown as visible `\xNN` escapes
 * instead of acting, and line breaks fold into ` ⏎ ` so a cell stays on its row.
 */
export function terminalText(s: string): string {
  return s
    .replace(/\r\n|\r|\n/g, ' ⏎ ')
    .replace(/\t/g, ' ')
    .replace(CONTROL_ALL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Escapes the three characters that make text HTML: safe inside `<pre>` and attribute-free HTML text. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes text for inline markdown, including table cells: HTML entities for
 * `& < >`, a backslash before every markdown-significant punctuation character
 * (so backticks, emphasis, links, pipes and headings stay literal) and newlines
 * folded into spaces.
 */
export function escapeInline(s: string): string {
  return neutralize(
    escapeHtml(stripControl(String(s)).replace(/\s*\n\s*/g, ' ')).replace(/[\\`*_{}[\]()#+!|~]/g, '\\$&'),
  );
}

/**
 * Text inside raw HTML (a `<summary>`, where markdown is not read): entity-escaped, on one line,
 * neutralized. No backslashes: they would show.
 */
export function htmlText(s: string): string {
  return neutralize(escapeHtml(stripControl(String(s)).replace(/\s*\n\s*/g, ' ')));
}

/**
 * Text a GitHub surface shows as it is, not as markdown or HTML (a check run's title, an
 * annotation's title and message): control characters gone, lines folded, neutralized, and at
 * most `maxChars` characters.
 */
export function plainText(s: string, maxChars = Infinity): string {
  return truncateChars(neutralize(stripControl(String(s)).replace(/\s*\n\s*/g, ' ')), maxChars);
}

/** Inline text in `<code>`: inert as markdown and as HTML, and GitHub does not turn @names in it into mentions. */
export function inlineCode(s: string): string {
  return `<code>${escapeInline(s)}</code>`;
}

/**
 * A fenced code block whose fence is longer than any backtick run in the content,
 * so no line of the content can close it (CommonMark: a closing fence must be at
 * least as long as the opening one).
 */
export function codeFence(content: string, info = ''): string {
  const runs = content.match(/`+/g) ?? [];
  const longest = runs.reduce((m, r) => Math.max(m, r.length), 0);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${content}\n${fence}`;
}

/** Log lines as an HTML `<pre>` block: entity-escaped, so `</details>`, tags and backticks are plain text. */
export function preBlock(lines: string[]): string {
  return `<pre>\n${lines.map((l) => neutralize(escapeHtml(stripControl(String(l))))).join('\n')}\n</pre>`;
}

/** Cuts a string to at most `maxChars` characters (by code point), with an ellipsis when it was cut. */
export function truncateChars(s: string, maxChars: number): string {
  const chars = Array.from(String(s));
  if (chars.length <= maxChars) return String(s);
  return `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

/** Characters XML 1.0 does not allow at all (even escaped): C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF. */
const XML_INVALID =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes text for XML element content and double- or single-quoted attributes. */
export function escapeXml(s: string): string {
  return s
    .replace(ANSI, '')
    .replace(XML_INVALID, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
