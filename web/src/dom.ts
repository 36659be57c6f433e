/** A small element builder: the dashboard has no framework. */
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
