// @ts-check
/**
 * Forms described as data: every control has a visible label; values come back typed
 * (lists from one-per-line text, booleans from checkboxes), and the management API's
 * field errors (`details: [{ field: "body.redirectUris.0", ... }]`) are shown next to
 * the control they name as well as in a summary at the top.
 */
import { h, problem, replace } from './dom.js';

/**
 * @typedef {{
 *   name: string,
 *   label: string,
 *   type?: 'text' | 'url' | 'number' | 'password' | 'email' | 'datetime-local' | 'select' | 'checkbox' | 'lines' | 'multi' | 'textarea',
 *   options?: (string | [string, string])[],
 *   value?: unknown,
 *   hint?: string,
 *   required?: boolean,
 *   placeholder?: string,
 * }} Field
 */

let counter = 0;

/** @param {string | [string, string]} option */
const pair = (option) => (Array.isArray(option) ? option : [option, option]);

/**
 * @param {Field} field
 * @param {string} id
 * @param {string} hintId
 */
function control(field, id, hintId) {
  const common = { id, name: field.name, required: field.required, 'aria-describedby': hintId, placeholder: field.placeholder };
  switch (field.type) {
    case 'select':
      return h(
        'select',
        common,
        (field.options ?? []).map((o) => {
          const [value, label] = pair(o);
          return h('option', { value, selected: field.value === value }, label);
        }),
      );
    case 'checkbox':
      return h('input', { ...common, type: 'checkbox', checked: field.value === true });
    case 'lines':
      return h('textarea', { ...common, rows: 3, value: Array.isArray(field.value) ? field.value.join('\n') : String(field.value ?? '') });
    case 'textarea':
      return h('textarea', { ...common, rows: 4, value: String(field.value ?? '') });
    default:
      return h('input', { ...common, type: field.type ?? 'text', value: field.value === undefined ? '' : String(field.value), spellcheck: 'false' });
  }
}

/** @param {Field} field */
function fieldView(field) {
  const id = `f${++counter}-${field.name}`;
  const hintId = `${id}-hint`;
  const hint = h('p', { class: 'hint', id: hintId }, field.hint ?? '');
  if (field.type === 'multi') {
    const chosen = Array.isArray(field.value) ? field.value : [];
    return h(
      'fieldset',
      { class: 'field', 'data-field': field.name, 'aria-describedby': hintId },
      h('legend', {}, field.label),
      (field.options ?? []).length === 0 ? h('p', { class: 'muted' }, 'none to choose from') : null,
      h(
        'div',
        { class: 'checks' },
        (field.options ?? []).map((o) => {
          const [value, label] = pair(o);
          const cid = `${id}-${value.replace(/\W/g, '_')}`;
          return h(
            'label',
            { for: cid, class: 'check' },
            h('input', { id: cid, type: 'checkbox', name: field.name, value, checked: chosen.includes(value) }),
            label,
          );
        }),
      ),
      hint,
    );
  }
  const input = control(field, id, hintId);
  if (field.type === 'checkbox')
    return h('div', { class: 'field check-field', 'data-field': field.name }, h('label', { for: id, class: 'check' }, input, field.label), hint);
  return h('div', { class: 'field', 'data-field': field.name }, h('label', { for: id }, field.label), input, hint);
}

/**
 * @param {HTMLFormElement} form
 * @param {Field[]} fields
 * @returns {Record<string, unknown>}
 */
function read(form, fields) {
  /** @type {Record<string, unknown>} */
  const values = {};
  for (const field of fields) {
    if (field.type === 'multi') {
      values[field.name] = [...form.querySelectorAll(`input[name="${field.name}"]`)]
        .filter((i) => /** @type {HTMLInputElement} */ (i).checked)
        .map((i) => /** @type {HTMLInputElement} */ (i).value);
      continue;
    }
    const el = /** @type {HTMLInputElement} */ (form.elements.namedItem(field.name));
    if (field.type === 'checkbox') values[field.name] = el.checked;
    else if (field.type === 'lines')
      values[field.name] = el.value
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    else if (field.type === 'number') values[field.name] = el.value.trim() === '' ? undefined : Number(el.value);
    else values[field.name] = el.value.trim() === '' ? undefined : el.value.trim();
  }
  return values;
}

/**
 * Marks the controls the API named, and shows the whole problem above the form.
 * @param {HTMLFormElement} form
 * @param {HTMLElement} summary
 * @param {unknown} error
 */
export function showProblem(form, summary, error) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  replace(summary, problem(error));
  const details = /** @type {{ details?: { field: string, message: string }[] }} */ (error).details ?? [];
  for (const d of details) {
    const name = d.field.split('.')[1];
    const box = name ? form.querySelector(`[data-field="${name}"]`) : null;
    if (!box) continue;
    box.append(h('p', { class: 'field-error' }, d.message));
    const input = box.querySelector('input, select, textarea');
    input?.setAttribute('aria-invalid', 'true');
  }
  summary.focus();
}

/**
 * @param {{ title?: string, fields: Field[], submit: string, onSubmit: (values: Record<string, unknown>) => Promise<unknown>, cancel?: () => void }} spec
 */
export function formView({ title, fields, submit, onSubmit, cancel }) {
  const summary = h('div', { class: 'form-problem', tabindex: -1 });
  const status = h('p', { class: 'visually-hidden', role: 'status' });
  const submitButton = h('button', { type: 'submit', class: 'primary' }, submit);
  /** @type {HTMLFormElement} */
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'form', novalidate: true },
      title ? h('h2', {}, title) : null,
      summary,
      fields.map(fieldView),
      h('div', { class: 'actions' }, cancel ? h('button', { type: 'button', class: 'secondary', onclick: cancel }, 'Cancel') : null, submitButton),
      status,
    )
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submitButton.setAttribute('disabled', '');
    status.textContent = 'Working…';
    try {
      await onSubmit(read(form, fields));
      replace(summary);
      status.textContent = 'Done.';
    } catch (error) {
      status.textContent = '';
      showProblem(form, summary, error);
    } finally {
      submitButton.removeAttribute('disabled');
    }
  });
  return form;
}

/**
 * "a = b c" lines, as { a: ['b', 'c'] } (permissions per API).
 * @param {unknown} lines
 * @returns {Record<string, string[]>}
 */
export function parsePermissions(lines) {
  /** @type {Record<string, string[]>} */
  const out = {};
  for (const line of /** @type {string[]} */ (lines ?? [])) {
    const at = line.lastIndexOf('=');
    if (at < 0) throw Object.assign(new Error(`"${line}": write an API, "=" and its scopes`), { details: [] });
    out[line.slice(0, at).trim()] = line
      .slice(at + 1)
      .trim()
      .split(/\s+/)
      .filter(Boolean);
  }
  return out;
}

/** @param {Record<string, string[]>} permissions */
export function permissionLines(permissions) {
  return Object.entries(permissions).map(([api, scopes]) => `${api} = ${scopes.join(' ')}`);
}

/** @param {unknown} text */
export const words = (text) =>
  String(text ?? '')
    .split(/\s+/)
    .filter(Boolean);
