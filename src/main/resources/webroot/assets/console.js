// The operator console: asks for the admin token once (kept in this tab's session storage), reads
// the server's event stream with fetch (so the token goes in the Authorization header, never in a
// URL), and offers the admin API's actions: create a product, restock, list recent orders.
'use strict';

const TOKEN_KEY = 'bolt.adminToken';
const RECONNECT_MS = 2000;
const STALE_MS = 3500;
const auth = document.getElementById('auth');
const authMessage = document.getElementById('auth-message');
const dashboard = document.getElementById('dashboard');
const live = document.getElementById('live');
const signOut = document.getElementById('sign-out');
let connection = null; // the AbortController of the open stream
let lastEventAt = 0;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function bearer() {
  return {Authorization: 'Bearer ' + token()};
}

function setLive(text, kind) {
  live.textContent = text;
  live.className = 'live ' + (kind || '');
}

function askForToken(message) {
  if (connection) connection.abort();
  connection = null;
  sessionStorage.removeItem(TOKEN_KEY);
  auth.hidden = false;
  dashboard.hidden = true;
  signOut.hidden = true;
  authMessage.textContent = message || '';
  authMessage.className = 'message bad';
  setLive('not connected');
  document.getElementById('token').focus();
}

/** What the server said when it refused the stream, for the token form; null when worth retrying. */
function refusalOf(status, body) {
  if (status === 401) return 'Wrong admin token: the server refused it (401 Unauthorized). Enter it again.';
  if (status === 403 && body && body.error === 'ADMIN_DISABLED') {
    return 'The admin API is off on this server: start Bolt with BOLT_ADMIN_TOKEN set.';
  }
  return null;
}

/** Splits the stream into server-sent events: "event: name" and "data: json" lines, a blank line between events. */
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, {stream: true});
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) onEvent(name, JSON.parse(data));
    }
  }
}

async function connect() {
  const controller = new AbortController();
  connection = controller;
  setLive('connecting…');
  try {
    const response = await fetch('/admin/stream', {headers: bearer(), cache: 'no-store', signal: controller.signal});
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (notJson) { body = null; }
      const refusal = refusalOf(response.status, body);
      if (refusal) { askForToken(refusal); return; }
      setLive(((body && body.message) || ('server answered ' + response.status)) + '; retrying', 'bad');
    } else {
      auth.hidden = true;
      dashboard.hidden = false;
      signOut.hidden = false;
      await readEvents(response, (name, data) => {
        lastEventAt = Date.now();
        if (name === 'history') ConsoleView.loadHistory(data);
        if (name === 'snapshot') {
          ConsoleView.show(data, restock);
          setLive('live · ' + Bolt.time(data.at), 'ok');
        }
      });
      setLive('stream ended; reconnecting', 'bad');
    }
  } catch (failure) {
    if (controller.signal.aborted) return;
    setLive('disconnected; reconnecting', 'bad');
  }
  if (connection === controller) setTimeout(() => { if (connection === controller) connect(); }, RECONNECT_MS);
}

// a stream that stops delivering (a proxy holding it, a stalled server) shows as stale
setInterval(() => {
  if (connection && lastEventAt && Date.now() - lastEventAt > STALE_MS && live.classList.contains('ok')) {
    setLive('no update for ' + Math.round((Date.now() - lastEventAt) / 1000) + ' s', 'bad');
  }
}, 1000);

function problem(answer) {
  if (answer.status === 0) return 'no answer from the server';
  const body = answer.body || {};
  const fields = body.fields ? ': ' + Object.entries(body.fields).map(([f, p]) => `${f} ${p}`).join('; ') : '';
  return (body.message || ('answered ' + answer.status)) + fields;
}

async function restock(productId, quantity) {
  const message = document.getElementById('restock-message');
  message.textContent = `Restocking ${productId}…`;
  const answer = await Bolt.request('POST', `/admin/products/${encodeURIComponent(productId)}/restock`,
    {body: {quantity}, headers: {...bearer(), 'Idempotency-Key': Bolt.randomId(12)}});
  if (answer.status === 401) { askForToken(refusalOf(401)); return; }
  message.textContent = answer.status === 200
    ? `Added ${quantity} to ${productId}: stock ${Bolt.number(answer.body.stock)}, available ${Bolt.number(answer.body.available)}.`
    : `Restock of ${productId} refused: ${problem(answer)}`;
}

function isoOrUndefined(localDateTime) {
  return localDateTime ? new Date(localDateTime).toISOString() : undefined;
}

async function createProduct(event) {
  event.preventDefault();
  const form = event.target;
  const value = name => form.elements[name].value.trim();
  const numberOrUndefined = name => value(name) === '' ? undefined : Number(value(name));
  const product = {id: value('id'), name: value('name'), stock: Number(value('stock')),
    limitPerCustomer: numberOrUndefined('limitPerCustomer'), saleStartsAt: isoOrUndefined(value('saleStartsAt')),
    saleEndsAt: isoOrUndefined(value('saleEndsAt')), holdSeconds: numberOrUndefined('holdSeconds')};
  const message = document.getElementById('create-message');
  const answer = await Bolt.request('POST', '/admin/products', {body: product, headers: bearer()});
  if (answer.status === 401) { askForToken(refusalOf(401)); return; }
  if (answer.status === 201) {
    message.textContent = `Created ${answer.body.id} with ${Bolt.number(answer.body.stock)} units.`;
    form.reset();
  } else {
    message.textContent = 'Not created: ' + problem(answer);
  }
}

async function listOrders() {
  const rows = document.querySelector('#orders tbody');
  const answer = await Bolt.request('GET', '/admin/orders?limit=20', {headers: bearer()});
  if (answer.status === 401) { askForToken(refusalOf(401)); return; }
  if (answer.status !== 200) {
    rows.replaceChildren(Bolt.el('tr', {}, Bolt.el('td', {colspan: '7', text: problem(answer)})));
    return;
  }
  rows.replaceChildren(...answer.body.map(order => Bolt.el('tr', {dataset: {order: order.orderId}},
    Bolt.el('td', {text: Bolt.time(order.createdAt)}),
    Bolt.el('td', {title: order.orderId, text: Bolt.short(order.orderId)}),
    Bolt.el('td', {text: order.productId}),
    Bolt.el('td', {class: 'num', text: String(order.quantity)}),
    Bolt.el('td', {text: order.customerId || ''}),
    Bolt.el('td', {class: 'status ' + order.status.toLowerCase(), text: order.status}),
    Bolt.el('td', {text: order.reason || ''}))));
  if (answer.body.length === 0) {
    rows.replaceChildren(Bolt.el('tr', {}, Bolt.el('td', {colspan: '7', class: 'hint', text: 'no orders yet'})));
  }
}

auth.addEventListener('submit', event => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
  authMessage.textContent = '';
  connect();
});
signOut.addEventListener('click', () => askForToken('Token forgotten.'));
document.getElementById('create').addEventListener('submit', createProduct);
document.getElementById('list-orders').addEventListener('click', listOrders);

if (token()) connect(); else askForToken();
