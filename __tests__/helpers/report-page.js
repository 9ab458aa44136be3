/* global document, window, marked, mermaid */
// Runs inside the page that __tests__/e2e/report-browser.test.ts opens in headless Chromium,
// after marked.umd.js and mermaid.min.js. It does what GitHub does with a comment: the
// markdown (in <script id="markdown" type="application/json">) becomes HTML (GFM), every
// ```mermaid block becomes a chart. Every <details> is opened first, as a reader would,
// so the charts are laid out and can be measured. Then it reads each rendered chart back
// in page pixels (getBoundingClientRect, so transforms and scaling are applied) into
// window.__charts, and sets <body data-rendered="ok"> (or "error: …").
(async () => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
  };
  try {
    const markdown = JSON.parse(document.getElementById('markdown').textContent);
    document.getElementById('comment').innerHTML = marked.parse(markdown, { gfm: true });
    for (const d of document.querySelectorAll('details')) d.open = true;
    const blocks = [...document.querySelectorAll('pre > code.language-mermaid')];
    for (const code of blocks) {
      const div = document.createElement('div');
      div.className = 'mermaid';
      div.textContent = code.textContent;
      code.parentElement.replaceWith(div);
    }
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default' });
    await mermaid.run({ querySelector: 'div.mermaid', suppressErrors: false });
    window.__charts = [...document.querySelectorAll('div.mermaid > svg')].map((svg) => {
      const summary = svg.closest('details')?.querySelector('summary b');
      const axisLine = svg.querySelector('g.left-axis g.axisl-line path');
      return {
        mermaidBlocks: blocks.length,
        scenario: summary ? summary.textContent : null,
        title: svg.querySelector('g.chart-title text')?.textContent ?? '',
        svg: box(svg),
        plot: axisLine ? box(axisLine) : null,
        labels: [...svg.querySelectorAll('g.bottom-axis g.label text')].map((t) => ({
          text: t.textContent,
          ...box(t),
        })),
        ticks: [...svg.querySelectorAll('g.bottom-axis g.ticks path')].map((p) => {
          const b = box(p);
          return (b.left + b.right) / 2;
        }),
        bars: [...svg.querySelectorAll('g.plot rect')].map(box),
      };
    });
    document.body.dataset.rendered = 'ok';
  } catch (error) {
    document.body.dataset.rendered = `error: ${(error && (error.message || error.str)) || String(error)}`;
  }
})();
