/**
 * report.html's inline stylesheet: light, readable on screen and on paper, system fonts only (the page loads nothing).
 */
export const PAGE_STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; background: #f6f8fa; color: #1f2328;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
}
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; min-height: 100vh; }
h1 { font-size: 1.7rem; margin: 0 0 8px; }
h2 { font-size: 1.25rem; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.02rem; margin: 20px 0 8px; }
p { margin: 6px 0; }
.note { color: #57606a; font-size: 0.9rem; font-style: italic; }
code { font: 0.88em ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; background: #f0f2f4; padding: 1px 4px; border-radius: 4px; }
nav { font-size: 0.9rem; margin: 12px 0 0; }
nav a { color: #0969da; margin-right: 14px; text-decoration: none; }
nav a:hover { text-decoration: underline; }
.table-wrap { overflow-x: auto; margin: 8px 0; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { padding: 5px 12px; border-bottom: 1px solid #e6e8eb; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; border-bottom: 1px solid #d0d7de; }
td code { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:hover { background: #fafbfc; }
figure { margin: 18px 0 26px; }
figure svg { display: block; max-width: 100%; height: auto; }
#run { color: #57606a; }
@media print { body { background: #fff; } main { padding: 0; } }
`;
