import assert from 'node:assert/strict';
import { HtmlValidate } from 'html-validate';

/** html-validate's standard rules, but for the void-element style and trailing spaces the views do not fix. */
const validator = new HtmlValidate({
  extends: ['html-validate:standard'],
  rules: { 'void-style': 'off', 'no-trailing-whitespace': 'off' },
});

/** What html-validate finds wrong in a page, as `rule: message` (none when valid). */
export async function htmlProblems(html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  return report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`));
}

/** The page is valid HTML and, unless told otherwise, has exactly one h1. */
export async function assertValidHtml(
  html: string,
  what = 'the page',
  options: { oneH1?: boolean } = {},
): Promise<void> {
  if (options.oneH1 !== false) assert.equal(html.match(/<h1[\s>]/g)?.length, 1, `${what} has one h1`);
  assert.deepEqual(await htmlProblems(html), [], `${what} is valid HTML`);
}
