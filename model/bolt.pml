/*
 * Bolt's stock protocol, as the Lua scripts and the worker's transaction really do it
 * (docs/design.md: the protocol).  Checked by `make model` (model/check.sh); model/README.md maps
 * every step below to the script or Java method it stands for, and explains how to read a trail.
 *
 * One product; three orders; worker processes that crash, stop, lose a commit's answer, are slow
 * and get reaped, and restart under a new id; one restock request (retried); the periodic sync.
 * Every Lua script is one atomic step, the batch transaction is one atomic step, everything else
 * interleaves.  Invariants: assertions at the end of every step that touches stock
 * (invariants()), at refusals (I5), in the batch plan (I3, I5), at quiescence (Quiescent), and
 * the LTL claim `progress`.
 *
 * Known-bad variants; `make model` requires a counterexample of the expected kind for each:
 *   -DMUTANT_NAIVE_RESYNC      the original design: after each write, SET available = DB stock
 *   -DMUTANT_NO_LREM_GUARD     ack settles a job's units even when LREM did not remove it
 *   -DMUTANT_RESTOCK_NO_AVVER  the restock rule before the fix: the ack's quiescent correction
 *                              does not record avver, so a late restock script adds its delta again
 *   -DMUTANT_NO_RESTOCKED_SET  restock.lua without the restocked set: a re-applied restock adds twice
 *   -DMUTANT_DL_NO_GUARD       dead_letter.lua returns the units even when LREM found no job
 *   -DMUTANT_FORGET_BUSY       reap.lua forgets a worker while a BLMOVE it sent may still land
 *   -DMUTANT_TAKE_NO_GUARD     take.lua before its fix: moves more jobs without checking that the
 *                              blocking take's job is still in the worker's list (model/README.md)
 */

/* ------------------------------------------------------------------ sizes */
/* A model of everything at once is too large to check in minutes, so `make model` checks three
 * configurations of this one file, each exhaustively (model/README.md: state counts):
 *   CFG_WORKERS (default)  two worker processes racing: crashes, a lost commit answer, slow
 *                          workers reaped, duplicates, the poison job; no restock, no sync
 *   CFG_STOCK              restock (retried) and two passes of the periodic sync against intake
 *                          and one worker process that crashes, stops, is slow and restarts
 *   CFG_LIVE               for progress (pan -a -f): two worker processes, two orders           */
#if defined(CFG_STOCK)
#define C_NPROC 1
#define C_SLOW 1
#define C_SYNCS 2
#define C_RESTOCKS 1
#define C_ORDERS 3
#define C_RETRY 1
#elif defined(CFG_LIVE)
#define C_NPROC 2
#define C_SLOW 2
#define C_SYNCS 0
#define C_RESTOCKS 0
#define C_ORDERS 3
#define C_RETRY 0
#else
#define C_NPROC 2
#define C_SLOW 1
#define C_SYNCS 0
#define C_RESTOCKS 0
#define C_ORDERS 7
#define C_RETRY 0
#endif
#ifndef NPROC
#define NPROC   C_NPROC /* worker processes running at once */
#endif
#ifndef FAULTS
#define FAULTS  1       /* crashes + clean stops + lost commit answers, in all */
#endif
#ifndef SLOW
#define SLOW    C_SLOW  /* reaper actions against a worker that is alive (slow, paused) */
#endif
#ifndef SYNCS
#define SYNCS   C_SYNCS /* passes of the periodic sync */
#endif
#ifndef RESTOCKS
#define RESTOCKS C_RESTOCKS /* the restock request is made (with ADMIN_RETRY, twice) */
#endif
#ifndef ADMIN_RETRY
#define ADMIN_RETRY 1
#endif
#ifndef ORDERS
#define ORDERS  C_ORDERS /* the orders sent (bits: o0, o1, o2 below) */
#endif
#ifndef RETRY
#define RETRY   C_RETRY /* o0's request is sent a second time with the same key */
#endif
#define NW      (NPROC + FAULTS)   /* worker ids ever used: a restart takes a new id */
#ifndef S0
#define S0      2       /* initial DB stock (version 1), and Redis available */
#endif
#ifndef DELTA
#define DELTA   1       /* the restock's quantity */
#endif

/* Orders: small ids 0..2.  o0 is a customer request with an Idempotency-Key, sent twice (a retry
 * after a 503 or a lost answer: it carries a fresh order id, and while the first attempt was
 * refused or not yet run nothing distinguishes the two, so the retry reuses the slot); o1 asks for
 * 2 units (so that a refusal can happen with units left); o2 is a poison job (a data error: its
 * transaction always fails, so it ends in the dead letters). */
#define NO        3
#define ALL       7
#define NONE      15
#define Q(o)      ((o) == 1 -> 2 : 1)
#define POISON(o) ((o) == 2)
#define KEYED(o)  ((o) == 0)
#define BIT(i)    (1 << (i))
#define BITJ(j)   ((j) == NONE -> 0 : BIT(j))
#define QSUM(s)   (((s) & 1 -> 1 : 0) + ((s) & 2 -> 2 : 0) + ((s) & 4 -> 1 : 0))

/* ------------------------------------------------------------------ Redis */
short avail = S0;       /* hash field available */
short inflight = 0;     /* hash field inflight */
byte  r_dbstock = S0;   /* hash fields dbstock, dbver: newest DB row Redis heard of */
byte  r_dbver = 1;
byte  avver = 1;        /* version of the DB stock `available` was last set from */
byte  restocked = 0;    /* restocked:p, versions as bits */
byte  queue = 0;        /* the queue (jobs as bits: the order of the list is abstracted, README) */
byte  plist[NW];        /* processing:<worker id> */
byte  listed = 0;       /* workers sorted set: bit w = id w listed */
byte  blocking = 0;     /* bit w: a BLMOVE sent in id w's take pipeline has not run yet */
bit   keyK = 0;         /* the idempotency key of o0/o1 is remembered */

/* ------------------------------------------------------------------ PostgreSQL */
short stock = S0;       /* products.stock */
byte  version = 1;      /* products.version */
byte  written = 0;      /* orders rows (CONFIRMED or REJECTED), as bits */
bit   rclaimed = 0;     /* restocks row for the one request id */
byte  ra_stock, ra_ver; /* its stock_after, version_after */
bit   rapplied = 0;     /* its applied_at is set */

/* ------------------------------------------------------------------ ghosts (not in the system) */
byte  accepted = 0;     /* orders answered 202 */
byte  confirmed = 0;    /* orders whose units the DB took */
byte  settled = 0;      /* orders whose in-flight units Redis settled (ack or dead letter) */
byte  dead = 0;         /* orders dead-lettered */
short unwritten = 0;    /* units accepted and not yet written (nor dead-lettered) */
short sold = 0;         /* units the DB took */
short stocked = S0;     /* units ever stocked: initial + committed restocks */
short unreflected = 0;  /* units of committed restocks that `available` does not hold yet */
bit   reflected = 0;    /* the restock's units are in `available` (added, or copied with a DB stock) */
byte  deadids = 0;      /* worker ids whose process is gone */
byte  kill = 0;         /* bit p: worker process p is to crash now */
byte  faults = FAULTS;
byte  slow = SLOW;
byte  nextid = 0;

/* an accepted order is neither written nor dead-lettered yet */
#define PENDING_ORDERS ((accepted & ~(written | dead)) != 0)

/* ------------------------------------------------------------------ invariants */
/* Checked at the end of every atomic step that touches stock. */
inline invariants() {
  assert(stock >= 0);                                   /* I1: DB stock never negative */
  assert(sold <= stocked);                              /* I1: never sell more than ever stocked */
  assert(avail <= stock - unwritten);                   /* I4: safe cache */
  /* I4, exact form: Redis differs from the DB only by what is in flight and by committed
   * restocks it has not heard of yet; so with nothing in flight and no restock pending,
   * available = DB stock (I4's equality), and a refusal is never a phantom (I5). */
  assert(avail + unwritten + unreflected == stock)
}

/* a restock is in `available` once it has been copied with a DB stock of its version or later */
inline reflect(v) {
  if
  :: rclaimed && !reflected && ra_ver <= v -> reflected = 1; unreflected = unreflected - DELTA
  :: else -> skip
  fi
}

inline pick(set, j) {   /* any member of a nonempty set (inside atomic) */
  if
  :: (set & 1) -> j = 0
  :: (set & 2) -> j = 1
  :: (set & 4) -> j = 2
  fi
}

/* ------------------------------------------------------------------ reserve.lua */
inline reserve(o, t) {   /* t: the attempt's bit in tried */
  d_step {
    tried = tried | t;
    if
    :: KEYED(o) && keyK -> skip                         /* reserve.lua:8-13 replay: change nothing */
    :: else ->
       /* reserve.lua:14-21 missing hash: not reachable here (Redis keeps its data) */
       if
       :: avail < Q(o) ->                               /* reserve.lua:23-25 refuse */
          assert(avail < Q(o));                         /* I5: refused only when fewer were available */
          assert(stock - unwritten - unreflected < Q(o))/* I5: ... and really were not there */
       :: else ->                                       /* reserve.lua:26-33 accept */
          avail = avail - Q(o);
          inflight = inflight + Q(o);
          queue = queue | BIT(o);
          if
          :: KEYED(o) -> assert(!(accepted & BIT(o))); keyK = 1   /* idempotency: one request, one order */
          :: else -> skip
          fi;
          accepted = accepted | BIT(o);
          unwritten = unwritten + Q(o)
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

/* ------------------------------------------------------------------ restock.lua */
/* restock.lua, then (ProductService.applyToRedis) markApplied, which may fail: one step, since the
 * script is idempotent and nothing but the sync reads applied_at */
inline restock_lua() {
  atomic {
    /* restock.lua:10-16 missing hash: not reachable here */
    /* restock.lua:17-18 ZREMRANGEBYSCORE restocked -inf avver */
    restocked = restocked & ~((2 << avver) - 1);
#ifdef MUTANT_NO_RESTOCKED_SET
    if
    :: ra_ver > avver ->
#else
    if
    :: ra_ver > avver && !(restocked & BIT(ra_ver)) ->  /* restock.lua:19-22 */
#endif
       avail = avail + DELTA;
       restocked = restocked | BIT(ra_ver);
       if
       :: !reflected -> reflected = 1; unreflected = unreflected - DELTA
       :: else -> skip                                  /* added twice: invariants() fails */
       fi
    :: else -> skip
    fi;
    if
    :: ra_ver > r_dbver -> r_dbstock = ra_stock; r_dbver = ra_ver   /* restock.lua:23-25 */
    :: else -> skip
    fi;
    invariants();
    if
    :: rapplied = 1                         /* RestockRepository.markApplied */
    :: skip                                 /* ... failed, or its answer was lost */
    fi
  }
}

/* Admin: POST /admin/products/p/restock with an Idempotency-Key, and one retry with the same key. */
active proctype Admin() {
  bit retried = !ADMIN_RETRY;
  if
  :: !RESTOCKS -> goto done
  :: else -> skip
  fi;
again:
  atomic {                                  /* RestockRepository.restock: one transaction */
    if
    :: !rclaimed ->                         /* CLAIM, ADD_STOCK (version + 1), RECORD */
       rclaimed = 1; stock = stock + DELTA; version = version + 1;
       ra_stock = stock; ra_ver = version;
       stocked = stocked + DELTA; unreflected = unreflected + DELTA
    :: else -> skip                         /* a retry: FIND answers the first result */
    fi;
    invariants()
  };
  /* ProductService.applyToRedis: restock.lua, then markApplied; either may fail (Redis down, a
   * lost answer, the process dies) and the sync applies the restock later */
  if
  :: restock_lua()
  :: skip
  fi;
  if
  :: !retried -> retried = 1; goto again
  :: skip
  fi;
done:
  skip
}

/* ------------------------------------------------------------------ periodic sync */
active proctype Sync() {
  short ss; byte sv; byte passes = 0;
  do
  :: passes == SYNCS -> break
  :: d_step { passes < SYNCS -> passes = passes + 1; ss = stock; sv = version };  /* RedisSync.run: products.all() reads the row */
     d_step {                              /* later: sync_product.lua with that row */
       /* sync_product.lua:11-16 missing hash: not reachable here */
       if
       :: inflight == 0 && sv > r_dbver -> /* sync_product.lua:17-21 adopt the row */
          avail = ss; r_dbstock = ss; r_dbver = sv; avver = sv;
          restocked = restocked & ~((2 << sv) - 1);
          reflect(sv)
       :: else -> skip
       fi;
       ss = 0; sv = 0;
       invariants()
     };
     /* applyPendingRestocks: restocks.pending(), then applyToRedis for each */
     if
     :: rclaimed && !rapplied ->
        restock_lua()
     :: else -> skip
     fi
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

/* ------------------------------------------------------------------ crashes */
active proctype Chaos() {
end_chaos:
  do
  :: atomic { faults > 0 -> faults = faults - 1; kill = kill | 1 }
  :: atomic { NPROC > 1 && faults > 0 -> faults = faults - 1; kill = kill | 2 }
  od
}

/* ------------------------------------------------------------------ workers */
/* settle one job of the batch (ack.lua:15-24) */
inline settle(b) {
  if
#ifdef MUTANT_NO_LREM_GUARD
  :: b != NONE ->
#else
  :: b != NONE && (plist[w] & BIT(b)) ->  /* ack.lua:18 LREM removed it from this worker's list */
#endif
     plist[w] = plist[w] & ~BIT(b);
     units = units + Q(b);
     assert(!(settled & BIT(b)));          /* I3: a job settles its units once */
     settled = settled | BIT(b)
  :: else -> skip
  fi
}

/* BatchPlan.of: a job the insert returned is CONFIRMED while the locked stock lasts */
inline decide(b) {
  if
  :: b != NONE && (ins & BIT(b)) ->
     assert(rem >= Q(b));                  /* I5: an accepted order is never REJECTED for stock */
     rem = rem - Q(b); dec = dec + Q(b);
     assert(!(confirmed & BIT(b)));        /* I3: an order's units are taken once */
     confirmed = confirmed | BIT(b)
  :: else -> skip                          /* DUPLICATE: written before, changes nothing */
  fi
}

proctype Worker(byte p) {
  byte w, b0, b1, j, st, ver, ins, units, res;
  short rem, dec;
  bit lf, one;
start:
  atomic {
    assert(nextid < NW);
    w = nextid; nextid = nextid + 1;
    b0 = NONE; b1 = NONE; lf = 1; one = 0
  };
  {
    listed = listed | BIT(w);              /* WorkerRegistry.claim: heartbeat.lua:17-18 */
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
    /* WorkQueue.take: one pipeline, heartbeat.lua:17-18 (register) then BLMOVE queue -> processing:<w>;
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
         decide(b0);                                    /* BatchPlan.of, in queue order */
         decide(b1);
         if
         :: dec > 0 ->                                  /* DECREMENT_STOCK: guard, version + 1 */
            assert(stock >= dec);
            stock = stock - dec; version = version + 1; sold = sold + dec
         :: else -> skip
         fi;
         st = stock; ver = version;                     /* stockAfter: decremented, else locked row */
         ins = 0; rem = 0; dec = 0;
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
         :: plist[w] & BIT(b0) ->                       /* :6-8 LREM found it in this worker's list */
#endif
            plist[w] = plist[w] & ~BIT(b0);
            avail = avail + Q(b0); inflight = inflight - Q(b0);   /* :10-16 */
            assert(!(settled & BIT(b0))); settled = settled | BIT(b0);
            if
            :: !(dead & BIT(b0)) -> dead = dead | BIT(b0); unwritten = unwritten - Q(b0)
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
      units = 0;
      settle(b0); settle(b1);                           /* :15-24 */
      inflight = inflight - units;                      /* :32-35 */
      if
      :: ver > r_dbver -> r_dbstock = st; r_dbver = ver /* :36-40 keep the newer row */
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
      if                                                /* :41-49 quiescent correction */
      :: inflight == 0 && (avail != r_dbstock || avver != r_dbver) ->
         avail = r_dbstock; avver = r_dbver; reflect(r_dbver)
      :: else -> skip
      fi;
#endif
      units = 0; b0 = NONE; b1 = NONE; st = 0; ver = 0;
      invariants()
    };
    goto loop
  } unless {
    d_step {                               /* the process dies here */
      kill & BIT(p);
      kill = kill & ~BIT(p);
      deadids = deadids | BIT(w);          /* a BLMOVE it sent may still run: Reaper, ORPHAN */
      b0 = NONE; b1 = NONE; j = 0; st = 0; ver = 0; ins = 0; units = 0; res = 0; rem = 0; dec = 0
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
    fi
  }
}

/* ------------------------------------------------------------------ quiescence */
/* When nothing can move any more (Promela's timeout: every process blocked, faults spent), every
 * accepted order is written or dead-lettered (I2), no job is left in a queue or list, nothing is
 * in flight, and `available` is the DB stock but for restocks Redis was never told of (I4). */
active proctype Quiescent() {
end_watch:
  timeout ->
    assert(!PENDING_ORDERS);
    assert(queue == 0 && inflight == 0);
    assert(plist[0] == 0 && plist[1] == 0 && (NW < 3 || plist[2] == 0) && (NW < 4 || plist[3] == 0));
    assert(avail + unreflected == stock)
}

/* ------------------------------------------------------------------ progress */
/* Every accepted order is eventually written (or dead-lettered), given the workers keep running:
 * faults and slow-worker reaps are bounded (FAULTS, SLOW), everything else runs under weak
 * fairness (pan -a -f). */
ltl progress { <>[] !PENDING_ORDERS }
