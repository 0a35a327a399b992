// @ts-check
/** Building the page: elements, tables, forms, errors and one-time secrets. No innerHTML anywhere. */

/** @typedef {string | number | Node | null | undefined | false} Child */

/**
 * An element with attributes, event listeners (`onclick`...) and children.
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else if (name === 'value' || name === 'checked') /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (el))[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * An SVG element (charts).
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {(Child | Child[])[]} children
 */
function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'object' ? child : String(child));
  }
}

/**
 * Replaces an element's content.
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** @param {number | undefined} seconds epoch seconds */
export function time(seconds) {
  if (seconds === undefined) return '—';
  const date = new Date(seconds * 1000);
  return h('time', { datetime: date.toISOString() }, date.toISOString().slice(0, 16).replace('T', ' '));
}

/**
 * @param {string} label
 * @param {(event: Event) => unknown} onclick
 * @param {{ kind?: 'primary' | 'secondary' | 'danger' | 'link', type?: string, disabled?: boolean }} [options]
 */
export function button(label, onclick, options = {}) {
  return h('button', { type: options.type ?? 'button', class: options.kind ?? 'secondary', onclick, disabled: options.disabled }, label);
}

/**
 * @template T
 * @typedef {{ label: string, value: (row: T) => Child | Child[] }} Column
 */

/**
 * A table, or a sentence saying there is nothing yet.
 * @template T
 * @param {{ caption: string, columns: Column<T>[], rows: T[], empty: string }} spec
 */
export function dataTable({ caption, columns, rows, empty }) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col' }, c.label)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {},
            columns.map((c) => h('td', { 'data-label': c.label }, c.value(row))),
          ),
        ),
      ),
    ),
  );
}

/** @param {string[] | undefined} items */
export function chips(items) {
  if (!items || items.length === 0) return h('span', { class: 'muted' }, 'none');
  return h(
    'ul',
    { class: 'chips' },
    items.map((i) => h('li', {}, i)),
  );
}

/**
 * An error from the management API (or the network), with the fields at fault.
 * @param {unknown} error
 */
export function problem(error) {
  const e = /** @type {{ message?: string, status?: number, details?: { field: string, message: string }[] }} */ (error);
  const status = e.status ? ` (${e.status})` : '';
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('p', {}, h('strong', {}, `Refused${status}: `), e.message ?? String(error)),
    e.details && e.details.length > 0
      ? h(
          'ul',
          {},
          e.details.map((d) => h('li', {}, h('code', {}, d.field), ': ', d.message)),
        )
      : null,
  );
}

/**
 * A secret shown once, with a copy button.
 * @param {string} label
 * @param {string} value
 */
export function secretOnce(label, value) {
  const id = `secret-${Math.random().toString(36).slice(2)}`;
  const input = h('input', { id, type: 'text', readonly: true, value, class: 'secret', spellcheck: 'false' });
  return h(
    'div',
    { class: 'secret-once', role: 'status' },
    h('label', { for: id }, label),
    h(
      'div',
      { class: 'copy-row' },
      input,
      copyButton(() => value),
    ),
    h('p', { class: 'muted' }, 'Copy it now: it is shown only once and Tessera keeps only a hash.'),
  );
}

/** @param {() => string} text */
export function copyButton(text, label = 'Copy') {
  /** @type {HTMLButtonElement} */
  const b = /** @type {HTMLButtonElement} */ (
    button(label, async () => {
      try {
        await navigator.clipboard.writeText(text());
        b.textContent = 'Copied';
      } catch {
        b.textContent = 'Select and copy by hand';
      }
      setTimeout(() => (b.textContent = label), 2000);
    })
  );
  return b;
}

/** @param {string} message */
export function confirmed(message) {
  return window.confirm(message);
}

/**
 * A section heading with an intro sentence.
 * @param {string} title
 * @param {string} intro
 * @param {...Child} extra
 */
export function header(title, intro, ...extra) {
  return h('header', { class: 'page-header' }, h('h1', {}, title), h('p', { class: 'muted' }, intro), ...extra);
}
