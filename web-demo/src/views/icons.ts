/**
 * The few icons the demo uses, as inline SVG (no icon font, no requests; allowed by the site's
 * CSP). Decorative: every control that shows one also has a text name.
 */
import { svg, type TemplateResult } from 'lit-html';

function icon(body: TemplateResult, className = 'icon'): TemplateResult {
  return svg`<svg class=${className} viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
}

export const icons = {
  logo: () =>
    icon(
      svg`<path d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4A2.5 2.5 0 0 1 3 13.5" /><path d="M9 9.5l2 2 4-4" />`,
      'icon logo',
    ),
  shield: () =>
    icon(
      svg`<path d="M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6z" /><path d="M9 12l2 2 4-4" />`,
    ),
  plus: () => icon(svg`<path d="M12 5v14M5 12h14" />`),
  back: () => icon(svg`<path d="M15 18l-6-6 6-6" />`),
  close: () => icon(svg`<path d="M6 6l12 12M18 6L6 18" />`),
  more: () =>
    icon(
      svg`<circle cx="5" cy="12" r="1.2" /><circle cx="12" cy="12" r="1.2" /><circle cx="19" cy="12" r="1.2" />`,
    ),
  people: () =>
    icon(
      svg`<circle cx="9" cy="8" r="3.2" /><path d="M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6" /><path d="M16 4.5a3.2 3.2 0 0 1 0 6.3M18 14.3c1.8.8 3 2.8 3 5.7" />`,
    ),
  send: () => icon(svg`<path d="M4 12l16-8-6 16-2.5-6.5z" /><path d="M11.5 13.5L20 4" />`),
  down: () => icon(svg`<path d="M12 5v14M6 13l6 6 6-6" />`),
  lock: () =>
    icon(
      svg`<rect x="5" y="11" width="14" height="9" rx="2" /><path d="M8 11V8a4 4 0 0 1 8 0v3" />`,
    ),
  hash: () => icon(svg`<path d="M5 9h14M5 15h14M10 4L8 20M16 4l-2 16" />`),
  check: () => icon(svg`<path d="M5 12l5 5 9-10" />`),
  circle: () => icon(svg`<circle cx="12" cy="12" r="6" />`),
};
