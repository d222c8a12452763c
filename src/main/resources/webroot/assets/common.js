// Helpers shared by the shop and the console. Plain browser JavaScript, no build step.
// Text is always set with textContent: nothing the API returns is ever parsed as HTML.
'use strict';

const Bolt = {
  /** An element with properties (class, text, dataset, any attribute) and children. */
  el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  },

  /**
   * A JSON request; never throws. Resolves to {status, body, headers}; status 0 when no answer came
   * (network down, server gone), with body null.
   */
  async request(method, path, {body, headers = {}} = {}) {
    const init = {method, headers: {...headers}, cache: 'no-store'};
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      const response = await fetch(path, init);
      let parsed = null;
      try { parsed = await response.json(); } catch (notJson) { parsed = null; }
      return {status: response.status, body: parsed, headers: response.headers};
    } catch (networkError) {
      return {status: 0, body: null, headers: new Headers()};
    }
  },

  /** A random id: for Idempotency-Key headers and generated customer ids. */
  randomId(bytes = 8) {
    const values = crypto.getRandomValues(new Uint8Array(bytes));
    return Array.from(values, b => b.toString(16).padStart(2, '0')).join('');
  },

  number(value) {
    return value === null || value === undefined ? '–' : Number(value).toLocaleString('en-US');
  },

  time(iso) {
    return iso ? new Date(iso).toLocaleTimeString('en-GB') : '';
  },

  dateTime(iso) {
    if (!iso) return '';
    const at = new Date(iso);
    return at.toLocaleDateString('en-CA') + ' ' + at.toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit'});
  },

  /** 75 -> "1:15", 3725 -> "1:02:05". */
  duration(seconds) {
    const s = Math.max(0, Math.ceil(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
    return (h > 0 ? h + ':' : '') + mm + ':' + String(r).padStart(2, '0');
  },

  /** The end of an order id: its start is a timestamp (time-ordered UUIDs), the same for orders of the same moment. */
  short(id) {
    return id ? '…' + id.slice(-8) : '';
  },
};
