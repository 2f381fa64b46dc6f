/**
 * The safe Markdown subset of `texte` blocks: paragraphs, line breaks, `**gras**`, `*italique*`,
 * lists (`- ` or `1. `) and links `[texte](https://…)`. Everything is escaped first, so no
 * markup ever passes through; links may only lead to `https:`, `http:` or `mailto:`. A text
 * that tries a script or a `javascript:` link is refused at saving with a French message.
 */

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Why a text may not be saved, or undefined when it may. */
export function unsafeText(text: string): string | undefined {
  const squeezed = text.replace(/[\s\p{Cc}]+/gu, '').toLowerCase();
  if (/<\s*script|<\s*\/?\s*(iframe|object|embed|style|svg)\b|\bon[a-z]+\s*=/i.test(text))
    return 'Le texte ne peut pas contenir de code HTML ni de script : écrivez-le en texte simple.';
  if (/(javascript|vbscript|data):/.test(squeezed))
    return 'Le texte contient un lien interdit (javascript:, data:…) : seuls les liens https://, http:// et mailto: sont acceptés.';
  return undefined;
}

const SAFE_HREF = /^(https?:\/\/|mailto:)[^\s"'<>]+$/i;

function inline(raw: string): string {
  // Links first, on the raw text, so that their address is checked before escaping.
  const parts: string[] = [];
  let last = 0;
  for (const m of raw.matchAll(/\[([^\]\n]{1,300})\]\(([^)\s]{1,2000})\)/g)) {
    parts.push(emphasis(escapeHtml(raw.slice(last, m.index))));
    const [, label = '', href = ''] = m;
    parts.push(
      SAFE_HREF.test(href)
        ? `<a href="${escapeHtml(href)}">${emphasis(escapeHtml(label))}</a>`
        : emphasis(escapeHtml(m[0])),
    );
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(emphasis(escapeHtml(raw.slice(last))));
  return parts.join('');
}

const emphasis = (escaped: string) =>
  escaped.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>').replace(/\*([^*\n]+)\*/g, '<em>$1</em>');

/** The HTML of a text block (its only output is the markup built here around escaped text). */
export function renderMarkdown(text: string): string {
  const out: string[] = [];
  for (const chunk of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = chunk.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    if (lines.every((l) => /^\s*[-*] /.test(l))) {
      out.push(`<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`);
    } else if (lines.every((l) => /^\s*\d{1,3}[.)] /.test(l))) {
      out.push(
        `<ol>${lines.map((l) => `<li>${inline(l.replace(/^\s*\d{1,3}[.)] /, ''))}</li>`).join('')}</ol>`,
      );
    } else out.push(`<p>${lines.map(inline).join('<br>')}</p>`);
  }
  return out.join('\n');
}

/** The plain text of a text block, for search and the printed booklet: links as « texte (adresse) ». */
export function markdownToPlain(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, '$1 ($2)')
    .replace(/\*\*([^*\n]+)\*\*/g, '$1')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/^\s*[-*] /gm, '• ');
}
