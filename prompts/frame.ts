import { placeholdersOf } from './render.js';

/** The template text around its single `{{input}}` placeholder. */
export interface InputFrame {
  prefix: string;
  suffix: string;
}

const INPUT_PLACEHOLDER = /\{\{\s*input\s*\}\}/;

/**
 * Splits a prompt template at its `{{input}}` placeholder, so the log chunk can be cut back out of a
 * rendered prompt. The template must hold exactly one placeholder, `{{input}}`.
 */
export function inputFrameOf(template: string, templateName: string): InputFrame {
  const names = placeholdersOf(template);
  const parts = template.split(INPUT_PLACEHOLDER);
  if (names.length !== 1 || names[0] !== 'input' || parts.length !== 2) {
    throw new Error(`${templateName}: strip_prompt needs a template with exactly one placeholder, {{input}} (found: ${names.map((n) => `{{${n}}}`).join(', ') || 'none'}${parts.length > 2 ? `, {{input}} ${parts.length - 1} times` : ''})`);
  }
  return { prefix: parts[0] as string, suffix: parts[1] as string };
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

const excerpt = (text: string, at: number): string => JSON.stringify(text.slice(at, at + 30));

/** The text standing where `{{input}}` was, or why `rendered` was not made from this template. */
export function extractInput(rendered: string, frame: InputFrame): { input: string } | { mismatch: string } {
  if (!rendered.startsWith(frame.prefix)) {
    const at = firstDifference(rendered, frame.prefix);
    return { mismatch: `text before {{input}} differs from the template at char ${at}: expected ${excerpt(frame.prefix, at)}, got ${excerpt(rendered, at)}` };
  }
  if (!rendered.endsWith(frame.suffix) || rendered.length < frame.prefix.length + frame.suffix.length) {
    const tail = rendered.slice(Math.max(frame.prefix.length, rendered.length - frame.suffix.length));
    return { mismatch: `text after {{input}} differs from the template: expected it to end with ${JSON.stringify(frame.suffix.slice(-30))}, got ${JSON.stringify(tail.slice(-30))}` };
  }
  return { input: rendered.slice(frame.prefix.length, rendered.length - frame.suffix.length) };
}

