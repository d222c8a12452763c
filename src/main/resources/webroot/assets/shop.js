// The storefront: products with live availability, a buy button, and the buyer's orders going
// PENDING -> CONFIRMED (or REJECTED) without a reload. The customer id lives in local storage.
'use strict';

const REFRESH_MS = 1000;
const ORDER_POLL_MS = 400;
const customerInput = document.getElementById('customer');
const cards = document.getElementById('products');
const shopStatus = document.getElementById('shop-status');
const orderRows = document.querySelector('#orders tbody');
/** Per product: the Idempotency-Key of a purchase whose answer was lost or 503, so "try again" cannot buy twice. */
const pendingKeys = new Map();
/** Per product: when a refused "not started yet" sale opens (local clock, from Retry-After). */
const opensAt = new Map();

function customerId() {
  let id = localStorage.getItem('bolt.customerId');
  if (!id) {
    id = 'buyer-' + Bolt.randomId(4);
    localStorage.setItem('bolt.customerId', id);
  }
  return id;
}

customerInput.value = customerId();
customerInput.addEventListener('change', () => {
  const id = customerInput.value.trim();
  if (id) localStorage.setItem('bolt.customerId', id);
  customerInput.value = customerId();
});

function card(product) {
  let node = document.getElementById('product-' + product.id);
  if (!node) {
    const quantity = Bolt.el('input', {class: 'quantity', type: 'number', min: '1', max: '1000', value: '1',
      'aria-label': 'quantity of ' + product.name});
    const buy = Bolt.el('button', {class: 'buy', type: 'button', text: 'Buy'});
    node = Bolt.el('article', {id: 'product-' + product.id, class: 'card', dataset: {product: product.id}},
      Bolt.el('h2', {class: 'name'}),
      Bolt.el('p', {class: 'available'}),
      Bolt.el('p', {class: 'rules'}),
      Bolt.el('div', {class: 'actions'}, quantity, buy),
      Bolt.el('p', {class: 'message', role: 'status'}));
    buy.addEventListener('click', () => placeOrder(product.id, Number(quantity.value), node));
    cards.append(node);
  }
  return node;
}

function showProduct(product) {
  const node = card(product);
  node.querySelector('.name').textContent = product.name;
  const available = node.querySelector('.available');
  if (product.available === null) {
    available.textContent = 'availability unknown';
  } else if (product.available === 0) {
    available.textContent = 'Sold out';
  } else {
    available.textContent = Bolt.number(product.available) + ' left';
  }
  available.classList.toggle('sold-out', product.available === 0);
  const rules = [];
  if (product.limitPerCustomer) rules.push('limit ' + product.limitPerCustomer + ' per customer');
  if (product.saleStartsAt && !product.saleOpen && new Date(product.saleStartsAt) > Date.now()) {
    rules.push('sale starts in ' + Bolt.duration((new Date(product.saleStartsAt) - Date.now()) / 1000));
  } else if (product.saleEndsAt && product.saleOpen === false) {
    rules.push('sale ended ' + Bolt.dateTime(product.saleEndsAt));
  } else if (product.saleEndsAt) {
    rules.push('sale ends ' + Bolt.dateTime(product.saleEndsAt));
  }
  if (product.holdSeconds) rules.push('pay within ' + Bolt.duration(product.holdSeconds));
  node.querySelector('.rules').textContent = rules.join(' · ');
}

async function refreshProducts() {
  if (document.visibilityState !== 'hidden') {
    const answer = await Bolt.request('GET', '/products');
    if (answer.status === 200) {
      answer.body.forEach(showProduct);
      shopStatus.textContent = answer.body.length === 0 ? 'Nothing on sale right now.' : '';
    } else if (answer.status === 0) {
      shopStatus.textContent = 'The shop does not answer: check your connection.';
    } else {
      shopStatus.textContent = (answer.body && answer.body.message) || 'The shop is unavailable; retrying.';
    }
  }
  setTimeout(refreshProducts, REFRESH_MS);
}

function say(node, text, kind) {
  const message = node.querySelector('.message');
  message.textContent = text;
  message.className = 'message ' + (kind || '');
}

/** What a buyer is told for each answer that is not an accepted order. */
function refusal(answer, productId) {
  const body = answer.body || {};
  switch (body.error) {
    case 'INSUFFICIENT_STOCK':
      return body.available === 0 ? 'Sold out.'
        : 'Only ' + body.available + ' left: you asked for ' + body.requested + '.';
    case 'SALE_NOT_STARTED': {
      const wait = Number(answer.headers.get('Retry-After')) || 1;
      opensAt.set(productId, Date.now() + wait * 1000);
      return null; // the countdown below tells it, second by second
    }
    case 'SALE_ENDED':
      return 'The sale has ended (' + Bolt.dateTime(body.endsAt) + ').';
    case 'LIMIT_EXCEEDED':
      return 'Limit reached: at most ' + body.limit + ' per customer, and you have ' + body.bought + '.';
    case 'UNKNOWN_PRODUCT':
      return 'This product is not sold here.';
    case 'INVALID_REQUEST':
      return body.fields && body.fields.customerId
        ? 'This product is limited per customer: enter your customer id above.'
        : 'Check the quantity: ' + Object.values(body.fields || {}).join('; ');
    case 'UNAVAILABLE':
    case 'STARTING':
      return 'The shop cannot take orders right now: try again in ' + (answer.headers.get('Retry-After') || 1)
        + ' s. Trying again cannot buy twice.';
    default:
      if (answer.status === 0) return 'No answer from the shop: try again. Trying again cannot buy twice.';
      return body.message || ('Unexpected answer ' + answer.status + '.');
  }
}

async function placeOrder(productId, quantity, node) {
  const key = pendingKeys.get(productId) || Bolt.randomId(12);
  pendingKeys.set(productId, key);
  opensAt.delete(productId);
  say(node, 'Ordering…', 'busy');
  const answer = await Bolt.request('POST', '/order', {
    body: {productId, quantity, customerId: customerId()},
    headers: {'Idempotency-Key': key},
  });
  // keep the key only when the outcome is unknown: a retry then finds the first order
  if (answer.status !== 0 && answer.status < 500) pendingKeys.delete(productId);
  if (answer.status === 202) {
    say(node, 'Order accepted: see Your orders below.', 'ok');
    trackOrder(answer.body);
  } else {
    const text = refusal(answer, productId);
    if (text !== null) say(node, text, 'refused');
    else tickCountdown(productId, node);
  }
}

function tickCountdown(productId, node) {
  const at = opensAt.get(productId);
  if (at === undefined) return;
  const left = (at - Date.now()) / 1000;
  if (left <= 0) {
    opensAt.delete(productId);
    say(node, 'The sale has started: press Buy again.', 'ok');
    return;
  }
  say(node, 'Not started yet: the sale opens in ' + Bolt.duration(left) + '.', 'refused');
  setTimeout(() => tickCountdown(productId, node), 250);
}

function trackOrder(order) {
  const status = Bolt.el('td', {class: 'status'});
  const detail = Bolt.el('td', {class: 'detail'});
  const row = Bolt.el('tr', {dataset: {order: order.orderId}},
    Bolt.el('td', {class: 'id', title: order.orderId, text: Bolt.short(order.orderId)}),
    Bolt.el('td', {text: order.productId}),
    Bolt.el('td', {text: String(order.quantity)}),
    status, detail);
  orderRows.prepend(row);
  show(status, detail, order);
  poll(order.orderId, status, detail, Date.now() + 120000);
}

function show(status, detail, order) {
  status.textContent = order.status;
  status.className = 'status ' + order.status.toLowerCase();
  const parts = [];
  if (order.reason) parts.push(order.reason);
  if (order.payBy && order.status === 'CONFIRMED') parts.push('pay by ' + Bolt.time(order.payBy));
  detail.textContent = parts.join(' · ');
}

async function poll(orderId, status, detail, deadline) {
  const answer = await Bolt.request('GET', '/order/' + orderId);
  if (answer.status === 200) {
    show(status, detail, answer.body);
    if (answer.body.status !== 'PENDING') return;
  }
  if (Date.now() < deadline) {
    setTimeout(() => poll(orderId, status, detail, deadline), ORDER_POLL_MS);
  } else {
    detail.textContent = 'still being written; reload to check again';
  }
}

refreshProducts();
