// The console's rendering: one snapshot (a server-sent event) into the tiles, the products table
// with its charts, and the dead letters. console.js owns the connection and the actions.
'use strict';

const ConsoleView = (() => {
  const HISTORY = 300; // samples kept per product: five minutes at one a second
  /** productId -> [available, ...] oldest first. */
  const history = new Map();
  const productRows = document.querySelector('#products tbody');
  const deadRows = document.querySelector('#dead-letter-list tbody');

  function text(id, value, kind) {
    const node = document.getElementById(id);
    node.textContent = value;
    if (kind !== undefined) node.className = 'value ' + kind;
  }

  function rate(value) {
    return value === null || value === undefined ? '–' : value.toLocaleString('en-US', {maximumFractionDigits: 1});
  }

  function remember(productId, available) {
    const points = history.get(productId) || [];
    points.push(available);
    while (points.length > HISTORY) points.shift();
    history.set(productId, points);
  }

  /** The history event: the samples the server kept while consoles watched. */
  function loadHistory(data) {
    history.clear();
    for (const sample of data.samples) {
      for (const [productId, available] of Object.entries(sample.units)) remember(productId, available);
    }
  }

  /**
   * A line of units left over the samples kept (at least the last minute wide, so a console just
   * opened draws at the right edge), scaled to its own range so that a sale of 100,000 units still
   * shows its slope; the title says the numbers. Gaps where Redis did not answer.
   */
  function chart(points) {
    const ns = 'http://www.w3.org/2000/svg';
    const width = 160, height = 32, slots = Math.max(60, points.length);
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('class', 'chart');
    const known = points.filter(p => p !== null && p !== undefined);
    if (known.length === 0) return svg;
    const max = Math.max(...known), min = Math.min(...known);
    const span = max - min;
    const step = width / (slots - 1);
    const offset = (slots - points.length) * step;
    const y = p => span === 0 ? height / 2 : height - 3 - (p - min) / span * (height - 6);
    const coords = [];
    points.forEach((p, i) => {
      if (p !== null && p !== undefined) coords.push((offset + i * step).toFixed(1) + ',' + y(p).toFixed(1));
    });
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', coords.join(' '));
    svg.append(line);
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${known[known.length - 1]} left now; from ${max} to ${min} over the last ${points.length} s`;
    svg.append(title);
    return svg;
  }

  function saleWindow(product) {
    if (!product.saleStartsAt && !product.saleEndsAt) return 'always open';
    const parts = [];
    if (product.saleStartsAt) parts.push('from ' + Bolt.dateTime(product.saleStartsAt));
    if (product.saleEndsAt) parts.push('until ' + Bolt.dateTime(product.saleEndsAt));
    return (product.saleOpen ? 'open ' : 'closed ') + parts.join(' ');
  }

  function productRow(product, onRestock) {
    let row = productRows.querySelector(`tr[data-product="${CSS.escape(product.id)}"]`);
    if (!row) {
      const quantity = Bolt.el('input', {class: 'restock-qty', type: 'number', min: '1', value: '10',
        'aria-label': 'units to add to ' + product.id});
      const button = Bolt.el('button', {class: 'restock', type: 'button', text: 'Restock'});
      button.addEventListener('click', () => onRestock(product.id, Number(quantity.value)));
      row = Bolt.el('tr', {dataset: {product: product.id}},
        Bolt.el('td', {class: 'product'}), Bolt.el('td', {class: 'stock num'}), Bolt.el('td', {class: 'available num'}),
        Bolt.el('td', {class: 'inflight num'}), Bolt.el('td', {class: 'sold num'}), Bolt.el('td', {class: 'trend'}),
        Bolt.el('td', {class: 'window'}), Bolt.el('td', {class: 'limit num'}),
        Bolt.el('td', {class: 'restock-cell'}, quantity, button));
      productRows.append(row);
    }
    return row;
  }

  function showProducts(products, onRestock) {
    for (const product of products) {
      remember(product.id, product.available);
      const row = productRow(product, onRestock);
      const cell = name => row.querySelector('.' + name);
      cell('product').textContent = product.name === product.id ? product.id : `${product.name} (${product.id})`;
      cell('stock').textContent = Bolt.number(product.stock);
      cell('available').textContent = Bolt.number(product.available);
      cell('inflight').textContent = Bolt.number(product.inflight);
      cell('sold').textContent = Bolt.number(product.sold);
      cell('trend').replaceChildren(chart(history.get(product.id)));
      cell("window").textContent = saleWindow(product);
      const rules = [];
      if (product.limitPerCustomer) rules.push(product.limitPerCustomer + ' / customer');
      if (product.holdSeconds) rules.push('hold ' + Bolt.duration(product.holdSeconds));
      cell('limit').textContent = rules.join(', ') || '–';
    }
  }

  function showDeadLetters(deadLetters) {
    text('dead-letters', deadLetters ? Bolt.number(deadLetters.count) : '–',
      deadLetters && deadLetters.count > 0 ? 'bad' : '');
    if (!deadLetters) return;
    deadRows.replaceChildren(...deadLetters.recent.map(letter => Bolt.el('tr', {},
      Bolt.el('td', {text: letter.at ? new Date(letter.at).toLocaleTimeString('en-GB') : ''}),
      Bolt.el('td', {class: 'reason', text: letter.reason}),
      Bolt.el('td', {title: letter.orderId || '', text: letter.orderId || '(unreadable job)'}),
      Bolt.el('td', {text: letter.worker || ''}))));
    if (deadLetters.recent.length === 0) {
      deadRows.replaceChildren(Bolt.el('tr', {}, Bolt.el('td', {colspan: '4', class: 'hint', text: 'none'})));
    }
  }

  function showRates(snapshot) {
    const rates = snapshot.rates;
    text('rate-accepted', rate(rates && rates.accepted));
    text('rate-refused', rate(rates && rates.refused));
    text('drain', rate(rates && rates.drained));
    const reasons = rates ? Object.entries(rates.refusedByReason).filter(([, perSecond]) => perSecond > 0) : [];
    document.getElementById('refusals').textContent = reasons.map(([r, n]) => `${r} ${rate(n)}`).join(', ');
    const note = snapshot.metrics ? 'Rates are this Bolt process\'s (roles: ' + snapshot.roles.join(', ')
      + '); Prometheus has every process\'s.' : 'Rates need metrics: this process runs with BOLT_METRICS_ENABLED=false.';
    document.getElementById('rates-note').textContent = note;
  }

  /** Shows one snapshot. */
  function show(snapshot, onRestock) {
    showRates(snapshot);
    const backlog = snapshot.backlog;
    text('backlog', backlog ? Bolt.number(backlog.total) : '–');
    document.getElementById('backlog-detail').textContent = backlog
      ? `${Bolt.number(backlog.queued)} queued, ${Bolt.number(backlog.processing)} in work` : '';
    document.getElementById('workers').textContent = snapshot.workers === null ? '' : snapshot.workers + ' workers';
    text('drift', Bolt.number(snapshot.drift), snapshot.drift > 0 ? 'warn' : '');
    text('health-redis', snapshot.health.redis, snapshot.health.redis === 'UP' ? 'ok' : 'bad');
    text('health-postgres', snapshot.health.postgres, snapshot.health.postgres === 'UP' ? 'ok' : 'bad');
    showDeadLetters(snapshot.deadLetters);
    showProducts(snapshot.products, onRestock);
  }

  return {show, loadHistory};
})();
