/** A message's text with its safe links as anchors (linkify.ts decides what is a link). */
import { html, type TemplateResult } from 'lit-html';
import { linkify } from '../linkify';

export function messageContent(text: string): TemplateResult {
  return html`${linkify(text).map((s) =>
    'href' in s
      ? html`<a href=${s.href} target="_blank" rel="noopener noreferrer">${s.text}</a>`
      : s.text,
  )}`;
}
