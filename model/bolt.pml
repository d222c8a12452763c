/*
 * Bolt's stock protocol, as the Lua scripts and the Java transactions really do it
 * (docs/design.md: the protocol).  Checked by `make model` (model/check.sh); model/README.md maps
 * every step below to the script or Java method it stands for, and explains how to read a trail.
 *
 * One product; three orders; worker processes that crash, stop, lose a commit's answer, are slow
 * and get reaped, and restart under a new id; one restock request (retried); the periodic sync;
 * cancellations of written orders; payment holds that run out (the expiry sweep) racing payments;
 * a per-customer limit, counted in Redis and in the DB, and a Redis that loses the count.
 * Every Lua script is one atomic step, every DB transaction is one atomic step, everything else
 * interleaves.  Invariants: assertions at the end of every step that touches stock or counts
 * (invariants()), at refusals (I5), in the batch plan (I3, I5), at quiescence (Quiescent), and
 * the LTL claim `progress`.
 *
 * Known-bad variants; `make model` requires a counterexample of the expected kind for each:
 *   -DMUTANT_NAIVE_RESYNC      the original design: after each write, SET available = DB stock
 *   -DMUTANT_NO_LREM_GUARD     ack settles a job's units even when LREM did not remove it
 *   -DMUTANT_RESTOCK_NO_AVVER  the avver rule before its fix: the ack's quiescent correction does
 *                              not record avver, so a late return_units.lua adds its delta again
 *   -DMUTANT_NO_APPLIED_SET    return_units.lua without the applied set: a re-applied change adds twice
 *   -DMUTANT_DL_NO_GUARD       dead_letter.lua returns the units even when LREM found no job
 *   -DMUTANT_FORGET_BUSY       reap.lua forgets a worker while a BLMOVE it sent may still land
 *   -DMUTANT_TAKE_NO_GUARD     take.lua before its fix: moves more jobs without checking that the
 *                              blocking take's job is still in the worker's list (model/README.md)
 *   -DMUTANT_CANCEL_NO_GUARD   a cancellation gives its units back with an increment of its own,
 *                              without the applied set and the avver rule
 *   -DMUTANT_ACK_RELEASE_SOLD  ack.lua gives the customer's counted units back for every job it
 *                              settles, sold ones too, not only the DB's refusals
 *   -DMUTANT_NO_DB_LIMIT       the batch transaction without the customer_units check
 */

/* ------------------------------------------------------------------ sizes */
/* A model of everything at once is far too large to check in minutes (worker faults multiply every
 * other actor's interleavings), so `make model` checks configurations of this one file, each
 * exhaustively (model/README.md: state counts):
 *   CFG_WORKERS (default)  two worker processes racing: crashes, a lost commit answer, slow
 *                          workers reaped, duplicates, the poison job; no stock changes
 *   CFG_STOCK              a restock (retried) and two passes of the periodic sync against intake
 *                          and one worker process that crashes, stops, or loses an answer, and restarts
 *   CFG_CANCEL             a cancellation, a restock and two sync passes against intake and one
 *                          worker process (no worker faults)
 *   CFG_LIMIT              a per-customer limit of 1: one customer's three orders (the poison job
 *                          among them), the count lost by Redis, a cancellation, one worker process
 *                          that crashes, stops, is slow and restarts
 *   CFG_HOLDS              payment holds: holds running out under two sweepers (one sweep may
 *                          expire both orders), a payment, two cancellation requests; a limit of
 *                          2 the customer's two orders stay within; one worker process (no faults)
 *   CFG_LIVE               progress (pan -a -f): two worker processes, two orders, faults, slow reaps
 *   CFG_LIVE_CHANGES       progress (pan -a -f): a cancellation, holds running out under two
 *                          sweepers, a failed Redis step, one worker process                     */
/* Each configuration sets what differs from the defaults below; a -D of the same name wins. */
#if defined(CFG_STOCK)
#define C_FAULTS 1
#define C_SYNCS 2
#define C_RESTOCKS 1
#define C_RETRY 1
#elif defined(CFG_CANCEL)
#define C_SYNCS 2
#define C_RESTOCKS 1
#define C_ADMIN_RETRY 0
#define C_RETRY 1
#define C_CANCELS 1
#elif defined(CFG_LIMIT)
#define C_SLOW 1
#define C_FAULTS 1
#define C_ORDERS 7
#define C_LIMIT 1
#define C_LOSE 1
#define C_CANCELS 1
#elif defined(CFG_HOLDS)
#define C_LIMIT 2
#define C_CANCELS 2
#define C_HOLDS 1
#define C_SWEEPERS 2
#define C_PAYS 1
#elif defined(CFG_LIVE)
#define C_NPROC 2
#define C_SLOW 2
#define C_FAULTS 1
#elif defined(CFG_LIVE_CHANGES)
#define C_CANCELS 1
#define C_HOLDS 1
#define C_SWEEPERS 2
#else                                  /* CFG_WORKERS */
#define C_NPROC 2
#define C_SLOW 1
#define C_FAULTS 1
#define C_ORDERS 7
#endif
#if !defined(NPROC) && defined(C_NPROC)
#define NPROC C_NPROC
#elif !defined(NPROC)
#define NPROC       1   /* worker processes running at once */
#endif
#if !defined(SLOW) && defined(C_SLOW)
#define SLOW C_SLOW
#elif !defined(SLOW)
#define SLOW        0   /* reaper actions against a worker that is alive (slow, paused) */
#endif
#if !defined(FAULTS) && defined(C_FAULTS)
#define FAULTS C_FAULTS
#elif !defined(FAULTS)
#define FAULTS      0   /* worker crashes + clean stops + lost commit answers, in all */
#endif
#if !defined(RFAULTS) && defined(C_RFAULTS)
#define RFAULTS C_RFAULTS
#elif !defined(RFAULTS)
#define RFAULTS     1   /* (progress runs) failed Redis steps of stock changes, in all */
#endif
#if !defined(SYNCS) && defined(C_SYNCS)
#define SYNCS C_SYNCS
#elif !defined(SYNCS)
#define SYNCS       0   /* passes of the periodic sync */
#endif
#if !defined(RESTOCKS) && defined(C_RESTOCKS)
#define RESTOCKS C_RESTOCKS
#elif !defined(RESTOCKS)
#define RESTOCKS    0   /* the restock request is made (with ADMIN_RETRY, twice) */
#endif
#if !defined(ADMIN_RETRY) && defined(C_ADMIN_RETRY)
#define ADMIN_RETRY C_ADMIN_RETRY
#elif !defined(ADMIN_RETRY)
#define ADMIN_RETRY 1   /* the restock request is sent again with the same key */
#endif
#if !defined(ORDERS) && defined(C_ORDERS)
#define ORDERS C_ORDERS
#elif !defined(ORDERS)
#define ORDERS      3   /* the orders sent (bits: o0, o1, o2 below) */
#endif
#if !defined(RETRY) && defined(C_RETRY)
#define RETRY C_RETRY
#elif !defined(RETRY)
#define RETRY       0   /* o0's request is sent a second time with the same key */
#endif
#if !defined(LIMIT) && defined(C_LIMIT)
#define LIMIT C_LIMIT
#elif !defined(LIMIT)
#define LIMIT       0   /* the product's limit per customer; 0: no limit */
#endif
#if !defined(LOSE) && defined(C_LOSE)
#define LOSE C_LOSE
#elif !defined(LOSE)
#define LOSE        0   /* Redis may lose the customer's count (once) */
#endif
#if !defined(CANCELS) && defined(C_CANCELS)
#define CANCELS C_CANCELS
#elif !defined(CANCELS)
#define CANCELS     0   /* cancellation requests (each for any written order) */
#endif
#if !defined(HOLDS) && defined(C_HOLDS)
#define HOLDS C_HOLDS
#elif !defined(HOLDS)
#define HOLDS       0   /* the product holds its orders for payment: holds run out, the sweep */
#endif
#if !defined(SWEEPERS) && defined(C_SWEEPERS)
#define SWEEPERS C_SWEEPERS
#elif !defined(SWEEPERS)
#define SWEEPERS    0   /* hold sweepers (one per worker process; they also re-apply pending changes) */
#endif
#if !defined(PAYS) && defined(C_PAYS)
#define PAYS C_PAYS
#elif !defined(PAYS)
#define PAYS        0   /* payment requests */
#endif
#if !defined(S0) && defined(C_S0)
#define S0 C_S0
#elif !defined(S0)
#define S0          2   /* initial DB stock (version 1), and Redis available */
#endif
#if !defined(DELTA) && defined(C_DELTA)
#define DELTA C_DELTA
#elif !defined(DELTA)
#define DELTA       1   /* the restock's quantity */
#endif
#if defined(CFG_LIVE) || defined(CFG_LIVE_CHANGES)
#define LIVENESS                   /* a progress run: failed Redis steps are bounded too (RFAULTS) */
#endif
#define NW      (NPROC + FAULTS)   /* worker ids ever used: a restart takes a new id */
/* In progress runs a failed Redis step (or its lost mark) is a fault like a crash: bounded */
#ifdef LIVENESS
#define FAILS   rfaults > 0 -> rfaults = rfaults - 1
#else
#define FAILS   true
#endif

/* Orders: small ids 0..2.  o0 is a customer request with an Idempotency-Key, sent twice (a retry
 * after a 503 or a lost answer: it carries a fresh order id, and while the first attempt was
 * refused or not yet run nothing distinguishes the two, so the retry reuses the slot); o1 asks for
 * 2 units (so that a refusal can happen with units left), or 1 when the product has a limit;
 * o2 is a poison job (a data error: its transaction always fails, so it ends in the dead letters).
 * With a limit, all three are one customer's, and reserve.lua counts them all against it (CUSTC). */
#define ALL       7
#define NONE      15
#if LIMIT > 0
#define Q1        1
#define CUSTC     7       /* the orders whose units count against the customer's limit */
#else
#define Q1        2
#define CUSTC     0
#endif
#define Q(o)      ((o) == 1 -> Q1 : 1)
#define POISON(o) ((o) == 2)
#define KEYED(o)  ((o) == 0)
#define BIT(i)    (1 << (i))
#define BITJ(j)   ((j) == NONE -> 0 : BIT(j))
#define QSUM(s)   ((((s) & 1) -> 1 : 0) + (((s) & 2) -> Q1 : 0) + (((s) & 4) -> 1 : 0))

/* Stock changes that give units back (stock_changes rows): c = 0 the restock, c = 1 + o the
 * cancellation of order o (by a request, or because its hold ran out; at most one per order) */
#define NC        4
#define CQ(c)     ((c) == 0 -> DELTA : Q((c) - 1))
#define CCU(c)    ((c) > 0 && (CUSTC & BIT((c) - 1)) -> Q((c) - 1) : 0)  /* customer_units it gives back */

/* ------------------------------------------------------------------ Redis */
short avail = S0;       /* hash field available */
short inflight = 0;     /* hash field inflight */
byte  r_dbstock = S0;   /* hash fields dbstock, dbver: newest DB row Redis heard of */
byte  r_dbver = 1;
byte  avver = 1;        /* version of the DB stock `available` was last set from */
short applied = 0;      /* applied:p, DB versions of the changes applied, as bits */
byte  bought = 0;       /* bought:p, the customer's counted units */
byte  queue = 0;        /* the queue (jobs as bits: the order of the list is abstracted, README) */
#if NPROC + FAULTS < 2
byte  plist[2];         /* processing:<worker id> */
#else
byte  plist[NW];        /* processing:<worker id> */
#endif
byte  listed = 0;       /* workers sorted set: bit w = id w listed */
byte  blocking = 0;     /* bit w: a BLMOVE sent in id w's take pipeline has not run yet */
bit   keyK = 0;         /* the idempotency key of o0 is remembered */

/* ------------------------------------------------------------------ PostgreSQL */
short stock = S0;       /* products.stock */
byte  version = 1;      /* products.version */
byte  written = 0;      /* orders rows, as bits */
byte  taken = 0;        /* ... written CONFIRMED: the DB took their units (since PAID or CANCELLED, perhaps) */
byte  rlimit = 0;       /* ... written REJECTED LIMIT_EXCEEDED (the others not taken: INSUFFICIENT_STOCK) */
byte  paid = 0;         /* ... PAID */
byte  cancelled = 0;    /* ... CANCELLED (by a request, or HOLD_EXPIRED) */
byte  expired = 0;      /* ... whose pay_by the DB clock has passed */
byte  cu = 0;           /* customer_units of the customer */
byte  chg = 0;          /* stock_changes rows committed, bit c */
byte  capp = 0;         /* ... whose applied_at is set */
byte  cst[NC];          /* ... their stock_after */
byte  cver[NC];         /* ... their version_after */

/* ------------------------------------------------------------------ ghosts (not in the system) */
byte  accepted = 0;     /* orders answered 202 */
byte  settled = 0;      /* orders whose in-flight units Redis settled (ack or dead letter) */
byte  dead = 0;         /* orders dead-lettered */
byte  swept = 0;        /* orders cancelled by the expiry sweep */
byte  rset = 0;         /* changes whose return_units.lua ran for the first time (bit c) */
byte  refl = 0;         /* changes whose units are in `available` (added, or copied with a DB stock) */
short unwritten = 0;    /* units accepted and not yet written (nor dead-lettered) */
short stocked = S0;     /* units ever stocked: initial + committed restocks */
short unreflected = 0;  /* units of committed changes that `available` does not hold yet */
short unreturned = 0;   /* units of orders the DB refused for the limit, not yet back in `available` */
short sold = 0;         /* units of CONFIRMED and PAID orders */
byte  owned = 0;        /* ... the customer's */
byte  rcount = 0;       /* the units Redis must count for the customer: every counted order's, but
                         * those Redis was told to give back (a refusal the ack settled, a dead
                         * letter, a cancellation whose return_units.lua ran); it lags the DB by
                         * refusals not yet acknowledged and cancellations not yet applied */
bit   lost = 0;         /* Redis lost the customer's count */
byte  deadids = 0;      /* worker ids whose process is gone */
byte  kill = 0;         /* bit p: worker process p is to crash now */
byte  faults = FAULTS;
byte  rfaults = RFAULTS;
byte  slow = SLOW;
byte  nextid = 0;

/* an accepted order is neither written nor dead-lettered yet */
#define PENDING_ORDERS  ((accepted & ~(written | dead)) != 0)
/* a committed stock change whose applied_at is not set */
#define PENDING_CHANGES ((chg & ~capp) != 0)
/* CONFIRMED (neither PAID nor CANCELLED), and those whose hold ran out */
#define CONFIRMED_SET   (taken & ~(paid | cancelled))
#define DUE             (CONFIRMED_SET & expired)
#define DUE_HOLDS       (DUE != 0)

/* ------------------------------------------------------------------ invariants */
/* Checked at the end of every atomic step that touches stock, orders or counts. */
inline invariants() {
  assert(stock >= 0);                                   /* I1: DB stock never negative */
  assert(stock + sold == stocked);                      /* I1: sold + stock = initial + restocked:
                                                         * a cancelled order's units are back, once */
  assert(avail <= stock - unwritten);                   /* I4: safe cache */
  /* I4, exact form: Redis differs from the DB only by what is in flight, by committed changes it
   * has not applied yet, and by limit refusals not yet acknowledged; so with nothing in flight and
   * nothing pending, available = DB stock (I4's equality), and a refusal is never a phantom (I5). */
  assert(avail + unwritten + unreflected + unreturned == stock);
  assert(owned <= LIMIT || LIMIT == 0);                 /* the limit in the DB: always */
  assert(cu == owned);                                  /* customer_units = CONFIRMED + PAID units */
  assert(LIMIT == 0 || (lost -> bought <= rcount : bought == rcount));  /* the count in Redis */
  assert(!(paid & swept))                               /* a paid order never expires */
}

/* a change is in `available` once it has been copied with a DB stock of its version or later */
inline reflect1(c, v) {
  if
  :: (chg & BIT(c)) && !(refl & BIT(c)) && cver[c] <= v -> refl = refl | BIT(c); unreflected = unreflected - CQ(c)
  :: else -> skip
  fi
}
inline reflect(v) {
  reflect1(0, v); reflect1(1, v); reflect1(2, v); reflect1(3, v)
}

inline pick(set, j) {   /* any member of a nonempty set of orders (inside atomic) */
  if
  :: ((set) & 1) -> j = 0
  :: ((set) & 2) -> j = 1
  :: ((set) & 4) -> j = 2
  fi
}
inline pickc(set, c) {  /* any member of a nonempty set of changes */
  if
  :: ((set) & 1) -> c = 0
  :: ((set) & 2) -> c = 1
  :: ((set) & 4) -> c = 2
  :: ((set) & 8) -> c = 3
  fi
}
/* HINCRBY bought:p customer -q, HDEL when <= 0 (inside atomic) */
#define release(q)  bought = (bought > (q) -> bought - (q) : 0)

/* ------------------------------------------------------------------ reserve.lua */
inline reserve(o, t) {   /* t: the attempt's bit in tried */
  d_step {
    tried = tried | t;
    if
    :: KEYED(o) && keyK -> skip                         /* reserve.lua:42-47 replay: change nothing */
    :: else ->
       /* reserve.lua:49-52 missing hash, :53-62 sale window: not modelled (README) */
       if
       :: LIMIT > 0 && bought + Q(o) > LIMIT ->         /* reserve.lua:63-71 over the customer's limit */
          assert(lost || rcount + Q(o) > LIMIT)         /* I5: refused only when the counted units
                                                         * and the order's passed the limit */
       :: else ->
          if
          :: avail < Q(o) ->                            /* reserve.lua:72-75 refuse */
             assert(stock - unwritten - unreflected - unreturned < Q(o))  /* I5: no phantom */
          :: else ->                                    /* reserve.lua:76-90 accept */
             avail = avail - Q(o);
             inflight = inflight + Q(o);
             if
             :: LIMIT > 0 -> bought = bought + Q(o); rcount = rcount + Q(o)  /* :59-63 count it, the job says "limited" */
             :: else -> skip
             fi;
             queue = queue | BIT(o);
             if
             :: KEYED(o) -> assert(!(accepted & BIT(o))); keyK = 1   /* idempotency: one request, one order */
             :: else -> skip
             fi;
             accepted = accepted | BIT(o);
             unwritten = unwritten + Q(o)
          fi
       fi
    fi;
    invariants()
  }
}

active proctype Intake() {
  byte tried = (~ORDERS & 7) | (RETRY && (ORDERS & 1) -> 0 : 8);  /* bit o: o sent; bit 3: o0's retry */
  do
  :: !(tried & 1) -> reserve(0, 1)
  :: (tried & 1) && !(tried & 8) -> reserve(0, 8)   /* the retry, same key */
  :: !(tried & 2) -> reserve(1, 2)
  :: !(tried & 4) -> reserve(2, 4)
  :: tried == 15 -> break
  od
}

/* ------------------------------------------------------------------ return_units.lua */
/* the script for change c (inside atomic) */
inline return_units(c) {
  if                                                    /* ghost: the first run gives the count back */
  :: !(rset & BIT(c)) && CCU(c) > 0 -> rset = rset | BIT(c); rcount = rcount - CCU(c)
  :: !(rset & BIT(c)) && CCU(c) == 0 -> rset = rset | BIT(c)
  :: else -> skip
  fi;
#ifdef MUTANT_CANCEL_NO_GUARD
  if
  :: c > 0 ->                                           /* MUTANT: a cancellation's own INCRBY */
     if
     :: CCU(c) > 0 -> release(CCU(c))
     :: else -> skip
     fi;
     avail = avail + CQ(c);
     if
     :: !(refl & BIT(c)) -> refl = refl | BIT(c); unreflected = unreflected - CQ(c)
     :: else -> skip                                    /* added twice: invariants() fails */
     fi;
     if
     :: cver[c] > r_dbver -> r_dbstock = cst[c]; r_dbver = cver[c]
     :: else -> skip
     fi
  :: else ->
#endif
  if
#ifndef MUTANT_NO_APPLIED_SET
  :: (applied & BIT(cver[c])) -> skip                   /* return_units.lua:13-15 applied before */
#endif
  :: else ->
     applied = applied | BIT(cver[c]);                  /* :16 ZADD (:18 keeps the newest 100,000) */
     if
     :: CCU(c) > 0 -> release(CCU(c))                   /* :19-23 the customer's units back */
     :: else -> skip
     fi;
     /* :24-26 missing hash: not reachable here (Redis keeps the product) */
     if
     :: cver[c] > avver ->                              /* :27-30 add only if avail is older */
        avail = avail + CQ(c);
        if
        :: !(refl & BIT(c)) -> refl = refl | BIT(c); unreflected = unreflected - CQ(c)
        :: else -> skip                                 /* added twice: invariants() fails */
        fi
     :: else -> skip
     fi;
     if
     :: cver[c] > r_dbver -> r_dbstock = cst[c]; r_dbver = cver[c]   /* :31-33 keep the newer row */
     :: else -> skip
     fi
  fi
#ifdef MUTANT_CANCEL_NO_GUARD
  fi
#endif
}

/* StockReturns.apply / applyAll for change c: return_units.lua, then MARK_APPLIED; either may fail
 * (Redis down, a lost answer, the process dies), and the change stays pending.  One step: the
 * script is idempotent and nothing but the pending passes reads applied_at.  (inside atomic) */
inline redis_step(c) {
  if
  :: return_units(c); capp = capp | BIT(c)
  :: FAILS -> return_units(c)                           /* ... the mark failed, or the process died before it */
  :: FAILS -> skip                                      /* Redis failed, or the process died first */
  fi;
  invariants()
}

/* ------------------------------------------------------------------ restock */
/* Admin: POST /admin/products/p/restock with an Idempotency-Key, and one retry with the same key. */
active proctype Admin() {
  bit retried = !ADMIN_RETRY;
  if
  :: !RESTOCKS -> goto done
  :: else -> skip
  fi;
again:
  atomic {                                  /* StockChangeRepository.restock: one transaction */
    if
    :: !(chg & 1) ->                        /* CLAIM_RESTOCK, ADD_STOCK (version + 1), RECORD_RESTOCK */
       stock = stock + DELTA; version = version + 1;
       cst[0] = stock; cver[0] = version; chg = chg | 1;
       stocked = stocked + DELTA; unreflected = unreflected + DELTA
    :: else -> skip                         /* a retry: FIND_RESTOCK answers the first result */
    fi;
    invariants()
  };
  atomic { redis_step(0) };                 /* ProductService.restock: returns.apply */
  if
  :: !retried -> retried = 1; goto again
  :: skip
  fi;
done:
  skip
}

/* ------------------------------------------------------------------ cancel */
/* OrderStatusRepository.cancelLocked for order o, CONFIRMED or PAID, whose row is locked (inside atomic) */
inline cancel_order(o) {
  cancelled = cancelled | BIT(o);                       /* CANCEL */
  sold = sold - Q(o);
  stock = stock + Q(o); version = version + 1;          /* RETURN_STOCK: the product, version + 1 ... */
  cst[(o) + 1] = stock; cver[(o) + 1] = version;        /* ... and its stock_changes row */
  chg = chg | BIT((o) + 1);
  if
  :: (CUSTC & BIT(o)) -> cu = cu - Q(o); owned = owned - Q(o)   /* RELEASE_CUSTOMER_UNITS (a limited order), last */
  :: else -> skip
  fi;
  unreflected = unreflected + Q(o)
}

#if CANCELS > 0
/* POST /admin/orders/{id}/cancel, CANCELS times, each for any written order (OrderAdmin.cancel) */
active proctype Canceller() {
  byte o, c, n;
end_cancel:
  do
  :: n == CANCELS -> break
  :: atomic {                               /* OrderStatusRepository.cancel: one transaction */
       n < CANCELS && taken != 0 ->         /* (a REJECTED order is refused, one not written is 409) */
       n = n + 1;
       pick(taken, o);                      /* LOCK_ORDER ... FOR UPDATE */
       if
       :: (cancelled & BIT(o)) -> c = NONE  /* CANCELLED already: the same answer, no change */
       :: else -> cancel_order(o); c = o + 1
       fi;
       o = 0;
       invariants()
     };
     if                                     /* then returns.applyAll(outcome.changes()) */
     :: c != NONE -> atomic { redis_step(c); c = 0 }
     :: else -> c = 0
     fi
  od
}
#endif

/* ------------------------------------------------------------------ payment holds */
#if HOLDS > 0
/* The DB clock passes an order's pay_by (now() + the hold, set at insert), at any time. */
active proctype Clock() {
  byte j;
end_clock:
  do
  :: atomic { (CONFIRMED_SET & ~expired) != 0 -> pick(CONFIRMED_SET & ~expired, j); expired = expired | BIT(j); j = 0 }
  od
}

/* Every worker process runs a HoldSweeper: expireDue, then the Redis step of its changes; and a
 * pass over every pending change (StockReturns.applyPending) every second tick. */
proctype Sweeper() {
  byte todo, c;
end_sweep:
  do
  :: atomic {                               /* OrderStatusRepository.expireDue: one transaction */
       DUE != 0 ->                          /* LOCK_DUE: CONFIRMED, pay_by <= now(), FOR UPDATE SKIP
                                             * LOCKED: a row another sweep holds is not taken */
       if
       :: (DUE & 1) -> assert(!(swept & 1)); cancel_order(0); swept = swept | 1; todo = todo | 2
       :: else -> skip
       fi;
       if                                   /* cancelLocked: in (product, id) order */
       :: (DUE & 2) -> assert(!(swept & 2)); cancel_order(1); swept = swept | 2; todo = todo | 4
       :: else -> skip
       fi;
       if
       :: (DUE & 4) -> assert(!(swept & 4)); cancel_order(2); swept = swept | 4; todo = todo | 8
       :: else -> skip
       fi;
       invariants()
     };
     do                                     /* HoldSweeper.sweep: returns.applyAll(expired.changes()) */
     :: atomic { todo != 0 -> pickc(todo, c); todo = todo & ~BIT(c); redis_step(c); c = 0 }
     :: todo == 0 -> break
     od
  :: atomic { PENDING_CHANGES ->            /* returns.applyPending: each pending row */
       pickc(chg & ~capp, c); redis_step(c); c = 0
     }
  od
}

#if PAYS > 0
/* POST /admin/orders/{id}/pay (OrderAdmin.pay), PAYS times, each for any CONFIRMED order */
active proctype Payer() {
  byte o, n;
end_pay:
  do
  :: n == PAYS -> break
  :: atomic {
       n < PAYS && CONFIRMED_SET != 0 -> n = n + 1;
       pick(CONFIRMED_SET, o);
       if
       :: !(expired & BIT(o)) -> paid = paid | BIT(o)   /* OrderStatusRepository.PAY: CONFIRMED and pay_by > now() */
       :: else -> skip                                  /* its hold ran out: refused, nothing changes */
       fi;
       o = 0;
       invariants()
     }
  od
}
#endif
#endif

/* ------------------------------------------------------------------ periodic sync */
active proctype Sync() {
  short ss; byte sv, passes, pend, c;
  do
  :: passes == SYNCS -> break
  :: d_step { passes < SYNCS -> passes = passes + 1; ss = stock; sv = version };  /* RedisSync.run: products.all() reads the row */
     d_step {                              /* later: sync_product.lua with that row */
       /* sync_product.lua:27-35 missing hash: not reachable here; :36-47 rules: fixed here */
       if
       :: inflight == 0 && sv > r_dbver -> /* sync_product.lua:48-52 adopt the row */
          avail = ss; r_dbstock = ss; r_dbver = sv; avver = sv;
          reflect(sv)
       :: else -> skip
       fi;
       ss = 0; sv = 0;
       invariants()
     };
     d_step { pend = chg & ~capp };        /* returns.applyPending: StockChangeRepository.pending() ... */
     do                                    /* ... then applyAll */
     :: atomic { pend != 0 -> pickc(pend, c); pend = pend & ~BIT(c); redis_step(c); c = 0 }
     :: pend == 0 -> break
     od
  od
}

/* ------------------------------------------------------------------ reapers */
#define LIVE_OK(w)   ((deadids & BIT(w)) || slow > 0)
#define REAPABLE(w)  ((listed & BIT(w)) && plist[w] != 0 && LIVE_OK(w))
#ifdef MUTANT_FORGET_BUSY
#define FORGETTABLE(w) ((listed & BIT(w)) && plist[w] == 0 && LIVE_OK(w))
#else
#define FORGETTABLE(w) ((listed & BIT(w)) && plist[w] == 0 && !(blocking & BIT(w)) && LIVE_OK(w))
#endif
#define ORPHAN(w)    ((blocking & deadids & BIT(w)) != 0)

/* Every worker process runs reap.lua (one script: atomic).  A worker counts as expired whenever
 * the reaper says so: a dead one at any time, a live one (slow, paused) SLOW times in all.  The one
 * timing fact used: a BLMOVE runs within blockTimeoutMs (< the TTL, BoltConfig) of the heartbeat
 * pipelined before it, well inside the 3 TTLs after which reap.lua forgets a worker with an empty list. */
active proctype Reaper() {
  byte w, j;
end_reap:
  do
  :: atomic {                              /* reap.lua:15-22: requeue an expired worker's list */
       if
       :: REAPABLE(0) -> w = 0
       :: REAPABLE(1) -> w = 1
       :: NW > 2 && REAPABLE(2) -> w = 2
       :: NW > 3 && REAPABLE(3) -> w = 3
       fi;
       if
       :: !(deadids & BIT(w)) -> slow = slow - 1
       :: else -> skip
       fi;
       queue = queue | plist[w]; plist[w] = 0; w = 0
     }
  :: atomic {                              /* reap.lua:23-26: forget an expired worker, list empty */
       if
       :: FORGETTABLE(0) -> w = 0
       :: FORGETTABLE(1) -> w = 1
       :: NW > 2 && FORGETTABLE(2) -> w = 2
       :: NW > 3 && FORGETTABLE(3) -> w = 3
       fi;
       if
       :: !(deadids & BIT(w)) -> slow = slow - 1
       :: else -> skip
       fi;
       listed = listed & ~BIT(w); w = 0
     }
  :: atomic {                              /* Redis: a dead worker's pending BLMOVE still runs... */
       if
       :: ORPHAN(0) -> w = 0
       :: ORPHAN(1) -> w = 1
       :: NW > 2 && ORPHAN(2) -> w = 2
       :: NW > 3 && ORPHAN(3) -> w = 3
       fi;
       if
       :: queue != 0 -> pick(queue, j); queue = queue & ~BIT(j); plist[w] = plist[w] | BIT(j); j = 0
       :: skip                             /* ... or times out, or its connection is closed */
       fi;
       blocking = blocking & ~BIT(w); w = 0
     }
  od
}

/* ------------------------------------------------------------------ faults */
active proctype Chaos() {
end_chaos:
  do
  :: atomic { faults > 0 -> faults = faults - 1; kill = kill | 1 }
  :: atomic { NPROC > 1 && faults > 0 -> faults = faults - 1; kill = kill | 2 }
  :: atomic {                              /* Redis loses the customer's count (a failover that
                                            * dropped the last writes, a stray HDEL) */
       LOSE && !lost -> lost = 1; bought = 0; invariants()
     }
  od
}

/* ------------------------------------------------------------------ workers */
/* settle one job of the batch (ack.lua:20-38); its outcome is how the DB wrote it (BatchPlan, or
 * OrderWriter.EARLIER for a redelivered job): S taken, L refused for the limit, R refused for stock */
inline settle(b) {
  if
#ifdef MUTANT_NO_LREM_GUARD
  :: b != NONE ->
#else
  :: b != NONE && (plist[w] & BIT(b)) ->  /* ack.lua:23 LREM removed it from this worker's list */
#endif
     plist[w] = plist[w] & ~BIT(b);
     units = units + Q(b);                 /* :25 */
     assert(!(settled & BIT(b)));          /* I3: a job settles its units once */
     settled = settled | BIT(b);
     if                                    /* ghost: a refusal settled gives the count back */
     :: (CUSTC & BIT(b)) && !(taken & BIT(b)) -> rcount = rcount - Q(b)
     :: else -> skip
     fi;
     if
     :: (rlimit & BIT(b)) -> ret = ret + Q(b)   /* :26-28 L: the DB has the units, back to available */
     :: else -> skip
     fi;
     if
#ifdef MUTANT_ACK_RELEASE_SOLD
     :: (CUSTC & BIT(b)) ->
#else
     :: (CUSTC & BIT(b)) && !(taken & BIT(b)) ->  /* :29-34 R or L, a limited job: the count back */
#endif
        release(Q(b))
     :: else -> skip
     fi
  :: else -> skip
  fi
}

/* BatchPlan.decide: a job the insert returned is REJECTED LIMIT_EXCEEDED if its units take the
 * customer past the limit, else CONFIRMED while the locked stock lasts */
inline decide(b) {
  if
  :: b != NONE && (ins & BIT(b)) ->
     if
#ifndef MUTANT_NO_DB_LIMIT
     :: (CUSTC & BIT(b)) && bc + Q(b) > LIMIT ->
        assert(owned + Q(b) > LIMIT);      /* I5: refused only when the customer's counted units
                                            * (CONFIRMED + PAID, this batch's included) and the
                                            * order's pass the limit */
        rlimit = rlimit | BIT(b); unreturned = unreturned + Q(b)
#endif
     :: else ->
        assert(rem >= Q(b));               /* I5: an accepted order is never REJECTED for stock */
        rem = rem - Q(b); dec = dec + Q(b);
        assert(!(taken & BIT(b)));         /* I3: an order's units are taken once */
        taken = taken | BIT(b); sold = sold + Q(b);
        if
        :: (CUSTC & BIT(b)) -> bc = bc + Q(b); owned = owned + Q(b)
        :: else -> skip
        fi
     fi
  :: else -> skip                          /* DUPLICATE: written before, changes nothing */
  fi
}

proctype Worker(byte p) {
  byte w, b0, b1, j, st, ver, ins, units, res, bc, ret;
  short rem, dec;
  bit lf, one;
start:
  atomic {
    assert(nextid < NW);
    w = nextid; nextid = nextid + 1;
    b0 = NONE; b1 = NONE; lf = 1; one = 0
  };
  {
    listed = listed | BIT(w);              /* WorkerRegistry.claim: heartbeat.lua:18-19 */
loop:
    /* Worker.nextBatch: leftovers first (WorkQueue.leftovers: LRANGE of its own list) */
    if
    :: atomic {                            /* a clean stop: FulfillmentVerticle.stop, retire.lua */
         faults > 0 -> faults = faults - 1;
         if
         :: plist[w] == 0 -> listed = listed & ~BIT(w)   /* retire.lua:5-10 */
         :: else -> skip
         fi;
         deadids = deadids | BIT(w)
       };
       goto start
    :: lf ->
       atomic {
         if
         :: plist[w] == 0 -> lf = 0; one = 0
         :: plist[w] != 0 && one -> pick(plist[w], b0)
         :: plist[w] != 0 && !one ->
            pick(plist[w], b0);
            if
            :: (plist[w] & ~BIT(b0)) != 0 -> pick(plist[w] & ~BIT(b0), b1)
            :: else -> skip
            fi
         fi
       };
       if
       :: b0 != NONE -> goto write
       :: else -> skip
       fi
    :: !lf -> skip
    fi;
    /* WorkQueue.take: one pipeline, heartbeat.lua:18-19 (register) then BLMOVE queue -> processing:<w>;
     * the worker waits as long as the queue is empty (a BLMOVE that times out is simply sent again) */
    if
    :: atomic {
         queue != 0 -> listed = listed | BIT(w);
         pick(queue, j); queue = queue & ~BIT(j); plist[w] = plist[w] | BIT(j); b0 = j; j = 0
       }
    :: d_step { queue == 0 -> listed = listed | BIT(w); blocking = blocking | BIT(w) };
end_idle:
       atomic {
         queue != 0 -> pick(queue, j);
         queue = queue & ~BIT(j); plist[w] = plist[w] | BIT(j);
         blocking = blocking & ~BIT(w); b0 = j; j = 0
       }
    fi;
    /* then WorkQueue.more: take.lua, up to batch - 1 (here 1) more without waiting */
    atomic {
      if
#ifdef MUTANT_TAKE_NO_GUARD
      :: queue != 0 ->                     /* MUTANT: take.lua before the fix, no LPOS */
#else
      :: queue != 0 && (plist[w] & BIT(b0)) -> /* take.lua:8-10 LPOS: BLMOVE's job is still in the
                                            * list (no reap, hence no forget, since the pipeline) */
#endif
         pick(queue, j);                   /* take.lua:13 LMOVE queue RIGHT -> list LEFT */
         queue = queue & ~BIT(j); plist[w] = plist[w] | BIT(j);
         if
         :: j != b0 -> b1 = j
         :: else -> skip                   /* Worker.process: a job seen twice in a batch, once */
         fi;
         j = 0
      :: else -> skip                      /* take.lua returns {}: the batch is BLMOVE's job alone */
      fi
    };
write:
    /* OrderWriter.write: one transaction */
    atomic {
      if
      :: POISON(b0) || (b1 != NONE && POISON(b1)) ->   /* a data error: rolled back */
         res = (b1 != NONE -> 1 : 2)
      :: else ->
         res = 0;
         ins = (BITJ(b0) | BITJ(b1)) & ~written;        /* INSERT_ORDERS ... ON CONFLICT DO NOTHING RETURNING id */
         written = written | ins;
         unwritten = unwritten - QSUM(ins);
         rem = stock; dec = 0;                          /* LOCK_PRODUCTS ... FOR NO KEY UPDATE */
         bc = cu;                                       /* COUNTED: customer_units */
         decide(b0);                                    /* BatchPlan.of, in queue order */
         decide(b1);
         cu = bc;                                       /* COUNT_UNITS */
         if
         :: dec > 0 ->                                  /* DECREMENT_STOCK: guard, version + 1 */
            assert(stock >= dec);
            stock = stock - dec; version = version + 1
         :: else -> skip
         fi;
         st = stock; ver = version;                     /* stockAfter: decremented, else locked row */
         ins = 0; rem = 0; dec = 0; bc = 0;
         invariants();
         /* Worker.writeAndAck: a commit whose answer is lost (timeout) counts as failed: the batch
          * stays listed and is retried from the list, as a duplicate */
         if
         :: faults > 0 -> faults = faults - 1; res = 3; st = 0; ver = 0
         :: skip
         fi
      fi
    };
    if
    :: res == 1 ->                                      /* Worker.poison: retry a job at a time */
       d_step { res = 0; one = 1; lf = 1; b0 = NONE; b1 = NONE };
       goto loop
    :: res == 2 ->                                      /* alone, maxAttempts reached: dead letter */
       d_step {                                         /* dead_letter.lua */
#ifdef MUTANT_DL_NO_GUARD
         if
         :: true ->
#else
         if
         :: plist[w] & BIT(b0) ->                       /* :9-11 LREM found it in this worker's list */
#endif
            plist[w] = plist[w] & ~BIT(b0);
            avail = avail + Q(b0); inflight = inflight - Q(b0);   /* :16-20 */
            if
            :: (CUSTC & BIT(b0)) -> release(Q(b0))     /* :21-23 a limited job: the count back */
            :: else -> skip
            fi;
            assert(!(settled & BIT(b0))); settled = settled | BIT(b0);
            if
            :: !(dead & BIT(b0)) ->
               dead = dead | BIT(b0); unwritten = unwritten - Q(b0);
               if                                       /* ghost: a dead letter gives the count back */
               :: (CUSTC & BIT(b0)) -> rcount = rcount - Q(b0)
               :: else -> skip
               fi
            :: else -> skip
            fi
         :: else -> skip
         fi;
         res = 0; b0 = NONE; b1 = NONE;
         invariants()
       };
       goto loop
    :: res == 3 -> d_step { res = 0; lf = 1; b0 = NONE; b1 = NONE }; goto loop
    :: res == 0 -> skip
    fi;
    d_step {                                            /* ack.lua */
      units = 0; ret = 0;
      settle(b0); settle(b1);                           /* :20-38 */
      inflight = inflight - units;                      /* :46-49 */
      avail = avail + ret; unreturned = unreturned - ret;   /* :46, :50-52 */
      if
      :: ver > r_dbver -> r_dbstock = st; r_dbver = ver /* :53-57 keep the newer row */
      :: else -> skip
      fi;
#if defined(MUTANT_NAIVE_RESYNC)
      avail = st; reflect(ver);                         /* the original design */
#elif defined(MUTANT_RESTOCK_NO_AVVER)
      if
      :: inflight == 0 && avail != r_dbstock -> avail = r_dbstock; reflect(r_dbver)
      :: else -> skip
      fi;
#else
      if                                                /* :58-66 quiescent correction */
      :: inflight == 0 && (avail != r_dbstock || avver != r_dbver) ->
         avail = r_dbstock; avver = r_dbver; reflect(r_dbver)
      :: else -> skip
      fi;
#endif
      units = 0; ret = 0; b0 = NONE; b1 = NONE; st = 0; ver = 0;
      invariants()
    };
    goto loop
  } unless {
    d_step {                               /* the process dies here */
      kill & BIT(p);
      kill = kill & ~BIT(p);
      deadids = deadids | BIT(w);          /* a BLMOVE it sent may still run: Reaper, ORPHAN */
      b0 = NONE; b1 = NONE; j = 0; st = 0; ver = 0; ins = 0; units = 0; res = 0; rem = 0; dec = 0;
      bc = 0; ret = 0
    }
  };
  goto start
}

init {
  atomic {
    run Worker(0);
    if
    :: NPROC > 1 -> run Worker(1)
    :: else -> skip
    fi;
#if HOLDS > 0
    if
    :: SWEEPERS > 0 -> run Sweeper()
    :: else -> skip
    fi;
    if
    :: SWEEPERS > 1 -> run Sweeper()
    :: else -> skip
    fi
#endif
  }
}

/* ------------------------------------------------------------------ quiescence */
/* When nothing can move any more (Promela's timeout: every process blocked, faults spent), every
 * accepted order is written or dead-lettered (I2), no job is left in a queue or list, nothing is
 * in flight, `available` is the DB stock but for changes Redis was never told of (I4), and the
 * customer's count in Redis is the DB's but for cancellations Redis was never told of.  A run
 * that ends is not a cycle, so this watcher is also where progress is checked for such runs. */
active proctype Quiescent() {
end_watch:
  timeout ->
    assert(!PENDING_ORDERS);
    assert(queue == 0 && inflight == 0 && unreturned == 0);
    assert(plist[0] == 0 && plist[1] == 0 && (NW < 3 || plist[2] == 0) && (NW < 4 || plist[3] == 0));
    assert(avail + unreflected == stock);
    assert(LIMIT == 0 || lost || bought == cu + QSUM(cancelled & CUSTC & ~(rset >> 1)));
    /* sweepers run for ever: where there are any, every change is applied and no hold left due */
    assert(SWEEPERS == 0 || !(PENDING_CHANGES || DUE_HOLDS))
}

/* ------------------------------------------------------------------ progress */
/* Every accepted order is eventually written (or dead-lettered), every committed stock change
 * eventually applied, every hold that ran out eventually cancelled, given the processes keep
 * running: faults, failed Redis steps and slow-worker reaps are bounded (FAULTS, RFAULTS, SLOW),
 * everything else runs under weak fairness (pan -a -f).  Checked in CFG_LIVE (orders) and in
 * CFG_LIVE_CHANGES (stock changes and holds, under two sweepers that re-apply pending changes). */
ltl progress { <>[] !(PENDING_ORDERS || PENDING_CHANGES || DUE_HOLDS) }
