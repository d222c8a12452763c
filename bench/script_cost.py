#!/usr/bin/env python3
"""Redis's cost of reserve.lua per order, by batch size (bench/README.md, "Script cost").

Starts a private redis-server (default port 6390, no persistence), loads a reserve script, creates
`steady`'s 100 products the way Bolt's sync does, and calls EVALSHA with batches of N orders shaped
like Bolt's (quantity 1, no customer, no idempotency key, the job JSON as OrderJob encodes it,
products round robin). For each N and round: CONFIG RESETSTAT, the calls, then INFO commandstats:
the usec of EVALSHA over the orders. Prints the median over the rounds per N, and a least-squares
fit usec/call = fixed + marginal * N. Every answer is checked to be an acceptance.

  bench/script_cost.py [--sizes 1,10,20,32,64] [--orders 10000] [--rounds 9]
                       [--script PATH[:LAYOUT]]... [--port 6390]

The usec are wall time inside Redis: on a busy machine a descheduled Redis inflates them, so the
table gives the median and the minimum over the rounds, and a fit of each; and Redis's main-thread
CPU time per order (INFO cpu), which descheduling does not inflate but which includes reading
the requests and writing the replies.

LAYOUT says how a script takes its orders: v0 = one order per call, an order marker with a TTL
(d5f3eb9; N orders are N pipelined calls), v1 = five ARGV per order and one nested answer per order
(reserve.lua up to fcf4cd5), v2 = flat answers, a flags string, two keys and four ARGV per order
(f265207), v3 = one key and three ARGV for an order without customer or idempotency key, the last
its order id, which named its own pending field (83480a9 to e7460a1), v4 (default) = the current
layout (reserve.lua's header: v3's, the last argument naming the call's one pending record). The
number of orders per measurement is the backlog a measurement ends with: the cost per order grows
with it (bench/README.md, "Script cost"). The script is the repository's by default; several
--script are measured side by side, interleaved in every round (on a shared machine only that
comparison is fair), e.g.
  git show fcf4cd5:src/main/resources/lua/reserve.lua > /tmp/reserve-v1.lua
  bench/script_cost.py --script /tmp/reserve-v1.lua:v1 --script src/main/resources/lua/reserve.lua
"""
import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = 'hot-20261125-222600-12345-bolt-steady'  # as long as bench/hot.sh's
TAG = '{' + PREFIX + '}:'


class Resp:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b''

    @staticmethod
    def encode(*args):
        out = [b'*%d\r\n' % len(args)]
        for a in args:
            if not isinstance(a, bytes):
                a = str(a).encode()
            out.append(b'$%d\r\n%s\r\n' % (len(a), a))
        return b''.join(out)

    def send(self, payload):
        self.sock.sendall(payload)

    def _line(self):
        while b'\r\n' not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError('redis closed the connection')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError('redis closed the connection')
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b'+':
            return rest.decode()
        if kind == b'-':
            raise RuntimeError(rest.decode())
        if kind == b':':
            return int(rest)
        if kind == b'$':
            n = int(rest)
            return None if n < 0 else self._exact(n).decode()
        if kind == b'*':
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError('unexpected reply %r' % line)

    def call(self, *args):
        self.send(self.encode(*args))
        return self.read()


def job_json(order_id, product, created_at):
    # OrderJob.create: Vert.x JsonObject.encode(), fields in insertion order, no spaces
    return '{"orderId":"%s","productId":"%s","quantity":1,"createdAt":%d}' % (order_id, product, created_at)


def uuid7():
    ms = int(time.time() * 1000)
    high = (ms << 16) | 0x7000 | 0x800  # version 7, shard marker, shard 0
    low = random.getrandbits(62) | (1 << 63)
    return str(uuid.UUID(int=(high << 64) | low))


def batch_v0(sha, orders):
    """reserve.lua at d5f3eb9 (issue 13's "today"): one order per call, so N orders are N pipelined
    calls; an order marker with a TTL instead of the pending hash."""
    calls = []
    for product in orders:
        oid = uuid7()
        keys = [TAG + 'product:' + product, TAG + 'queue', TAG + 'order:' + oid, TAG + 'synced',
                TAG + 'bought:' + product]
        calls.append(Resp.encode('EVALSHA', sha, len(keys), *keys,
                                 1, job_json(oid, product, int(time.time() * 1000)), 86400, 86400, ''))
    return b''.join(calls)


def accepted_v0(reply, n):
    return reply[0] == 1


def batch_v1(sha, orders):
    """reserve.lua before the flat layout: 3 keys, then product + bought per order; ARGV 1 + 5 per order."""
    keys = [TAG + 'queue', TAG + 'synced', TAG + 'pending']
    args = [86400]
    for product in orders:
        oid = uuid7()
        keys += [TAG + 'product:' + product, TAG + 'bought:' + product]
        args += [1, job_json(oid, product, int(time.time() * 1000)), '', 0, oid]
    return Resp.encode('EVALSHA', sha, len(keys), *keys, *args)


def batch_v2(sha, orders):
    """f265207: flat answers, one flags string; product + bought keys and four ARGV per order."""
    keys = [TAG + 'queue', TAG + 'synced', TAG + 'pending']
    args = [86400, '-' * len(orders)]
    for product in orders:
        oid = uuid7()
        keys += [TAG + 'product:' + product, TAG + 'bought:' + product]
        args += [1, job_json(oid, product, int(time.time() * 1000)), '', oid]
    return Resp.encode('EVALSHA', sha, len(keys), *keys, *args)


def batch_v3(sha, orders):
    """83480a9 to e7460a1: an order without customer or key brings its product key and three
    arguments, the last its order id (a pending field per order)."""
    keys = [TAG + 'queue', TAG + 'synced', TAG + 'pending']
    args = [86400, '-' * len(orders)]
    for product in orders:
        oid = uuid7()
        keys.append(TAG + 'product:' + product)
        args += [1, job_json(oid, product, int(time.time() * 1000)), oid]
    return Resp.encode('EVALSHA', sha, len(keys), *keys, *args)


def batch_v4(sha, orders):
    """reserve.lua since the pending record per batch: v3's layout, the last argument of each order
    naming the batch's pending record (OrderIds.pendingRecord) instead of the order id."""
    keys = [TAG + 'queue', TAG + 'synced', TAG + 'pending']
    args = [86400, '-' * len(orders)]
    record = None
    for product in orders:
        oid = uuid7()
        record = record or oid[:26] + '0' * 10  # OrderIds.pendingRecord: the id with its own 40 bits cleared
        keys.append(TAG + 'product:' + product)
        args += [1, job_json(oid, product, int(time.time() * 1000)), record]
    return Resp.encode('EVALSHA', sha, len(keys), *keys, *args)


def accepted_v1(reply, n):
    return len(reply) == n and all(a[0] == 1 for a in reply)


def accepted_v2(reply, n):
    # flat: verdict then its values; an acceptance is 1, available
    i, count = 0, 0
    while i < len(reply):
        if reply[i] != 1:
            return False
        i += 2
        count += 1
    return count == n


def accepted_v3(reply, n):
    # flat: three values per order, the verdict first; an acceptance is 1, available, 0
    return len(reply) == 3 * n and all(reply[i] == 1 for i in range(0, len(reply), 3))


LAYOUTS = {'v0': (batch_v0, accepted_v0), 'v1': (batch_v1, accepted_v1), 'v2': (batch_v2, accepted_v2),
           'v3': (batch_v3, accepted_v3), 'v4': (batch_v4, accepted_v3)}


def products(r):
    for i in range(100):
        p = 'p%03d' % i
        r.send(Resp.encode('HSET', TAG + 'product:' + p, 'available', 1000000000, 'inflight', 0,
                           'dbstock', 1000000000, 'dbver', 0, 'avver', 0, 'rulesver', 0))
    for _ in range(100):
        r.read()
    r.call('SET', TAG + 'synced', 'bench')


def commandstats(r):
    usec, calls = 0, 0
    for line in r.call('INFO', 'commandstats').splitlines():
        if line.startswith('cmdstat_evalsha:') or line.startswith('cmdstat_eval:'):
            fields = dict(kv.split('=') for kv in line.split(':', 1)[1].split(','))
            usec += int(fields['usec'])
            calls += int(fields['calls'])
    return usec, calls


def main_thread_cpu(r):
    info = dict(line.split(':', 1) for line in r.call('INFO', 'cpu').splitlines() if ':' in line)
    return (float(info['used_cpu_user_main_thread']) + float(info['used_cpu_sys_main_thread'])) * 1e6


def measure(r, sha, layout, n, total_orders):
    build, accepted = LAYOUTS[layout]
    replies = n if layout == 'v0' else 1  # v0 sends one call per order
    r.call('FLUSHALL')
    products(r)
    names = ['p%03d' % i for i in range(100)]
    calls = max(1, total_orders // n)
    payloads = []
    k = 0
    for _ in range(calls):
        orders = [names[(k + j) % 100] for j in range(n)]
        k += n
        payloads.append(build(sha, orders))
    r.call('CONFIG', 'RESETSTAT')
    cpu = main_thread_cpu(r)
    window = 16  # calls in flight, like a few event loops' batches
    sent = 0
    done = 0
    while done < calls:
        while sent < calls and sent - done < window:
            r.send(payloads[sent])
            sent += 1
        for _ in range(replies):
            reply = r.read()
            if not accepted(reply, n):
                raise SystemExit('not every order was accepted: %r' % (reply[:8],))
        done += 1
    cpu = main_thread_cpu(r) - cpu
    usec, script_calls = commandstats(r)
    assert script_calls == calls * replies, (script_calls, calls)
    return usec / calls, cpu / (calls * n)


def fit(xs, ys):
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - slope * mx, slope


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--sizes', default='1,10,20,32,64')
    ap.add_argument('--orders', type=int, default=10000, help='orders per measurement')
    ap.add_argument('--rounds', type=int, default=9)
    ap.add_argument('--script', action='append', metavar='PATH[:LAYOUT]',
                    help='a script to measure (repeat to compare; interleaved in every round); default: the '
                         "repository's reserve.lua, layout v3")
    ap.add_argument('--port', type=int, default=6390)
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(',')]
    variants = []
    for spec in a.script or [os.path.join(REPO, 'src/main/resources/lua/reserve.lua')]:
        path, _, layout = spec.partition(':')
        layout = layout or 'v4'
        if layout not in LAYOUTS:
            raise SystemExit('unknown layout %s (one of %s)' % (layout, ', '.join(sorted(LAYOUTS))))
        variants.append((path, layout))
    work = tempfile.mkdtemp(prefix='bolt-script-cost.')
    pidfile = os.path.join(work, 'redis.pid')
    subprocess.run(['redis-server', '--port', str(a.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
                    '--daemonize', 'yes', '--dir', work, '--pidfile', pidfile, '--logfile', os.path.join(work, 'log')],
                   check=True)
    try:
        deadline = time.time() + 10
        while True:
            try:
                r = Resp(a.port)
                r.call('PING')
                break
            except (OSError, RuntimeError):
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        shas = []
        for path, _ in variants:
            with open(path) as f:
                shas.append(r.call('SCRIPT', 'LOAD', f.read()))
        print('# %d orders per measurement, median of %d rounds (the variants interleaved in each), redis %s'
              % (a.orders, a.rounds, r.call('INFO', 'server').split('redis_version:')[1].split()[0]))
        results = {(v, n): [] for v in range(len(variants)) for n in sizes}
        for _ in range(a.rounds):  # rounds interleave sizes and variants, so a burst of noise hits them all
            for n in sizes:
                for v, (path, layout) in enumerate(variants):
                    results[v, n].append(measure(r, shas[v], layout, n, a.orders))
        for v, (path, layout) in enumerate(variants):
            name = os.path.relpath(path, REPO) if path.startswith(REPO + '/') else path
            print()
            print('%s (layout %s)' % (name, layout))
            # the median says what a run sees on this (shared) machine; the minimum is the least disturbed
            print()
            print('| orders per call | usec per call (median) | usec per order (median) | usec per order (min) '
                  '| main-thread CPU usec per order (median) |')
            print('| ---: | ---: | ---: | ---: | ---: |')
            medians, minima = [], []
            for n in sizes:
                per_call = statistics.median(c for c, _ in results[v, n])
                least = min(c for c, _ in results[v, n])
                cpu = statistics.median(c for _, c in results[v, n])
                print('| %d | %.1f | %.2f | %.2f | %.2f |' % (n, per_call, per_call / n, least / n, cpu))
                medians.append(per_call)
                minima.append(least)
            if len(sizes) > 1:
                print()
                for label, ys in (('median', medians), ('min', minima)):
                    fixed, marginal = fit(sizes, ys)
                    print('fit (%s): %.1f usec per call + %.2f usec per order' % (label, fixed, marginal))
    finally:
        try:
            with open(pidfile) as f:
                pid = int(f.read())
            os.kill(pid, 15)
            for _ in range(100):
                if not os.path.exists(pidfile):
                    break
                time.sleep(0.05)
        except (OSError, ValueError):
            pass
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
