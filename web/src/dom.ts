/** A small element builder: the dashboard has no framework. */
import { brief, dateTime, isValidDate } from './format';
type Child = Node | string | number | null | undefined | false;
type Props = {
  class?: string;
  dataset?: Record<string, string>;
  attrs?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
} & Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    const { class: className, dataset, attrs, on, ...rest } = props;
    if (className) el.className = className;
    if (dataset) Object.assign(el.dataset, dataset);
    for (const [name, value] of Object.entries(attrs ?? {})) el.setAttribute(name, value);
    for (const [type, handler] of Object.entries(on ?? {}))
      el.addEventListener(type, handler as EventListener);
    Object.assign(el, rest);
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/**
 * Text from a record or an account, in its own `<bdi>`: direction is found from the text itself
 * (dir=auto) and the bidi controls it may hold (U+202E and the like) end at its edge, so they
 * cannot reorder the words around it. The stylesheet lets it wrap anywhere.
 */
export const isolate = (text: string | number) => h('bdi', null, String(text));

/** A `<time>` in the page's one format (format.ts, dateTime); "—" without a machine value if invalid. */
export function time(date: Date, text = dateTime(date)): HTMLTimeElement {
  return h('time', isValidDate(date) ? { dateTime: date.toISOString() } : null, text);
}

/** Longer texts than this are cut in the detail, with a button that shows the rest. */
export const LONG_TEXT = 600;

/**
 * An isolated text that, beyond `max` characters, shows its start and a button for the rest, so
 * that a 10 KB value does not bury the rest of the detail.
 */
export function expandable(text: string, max = LONG_TEXT): HTMLElement {
  const shown = brief(text, max);
  if (shown === text) return isolate(text);
  const full = Array.from(text).length;
  const el = h('span', { class: 'expandable' });
  const more = h(
    'button',
    {
      type: 'button',
      class: 'link more',
      on: { click: () => fill(el, isolate(text)) },
    },
    `show all ${full.toLocaleString('en')} characters`,
  );
  fill(el, isolate(shown), ' ', more);
  return el;
}
