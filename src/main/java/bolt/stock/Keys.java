package bolt.stock;

/**
 * Redis key names of one shard. Every key of a shard carries the shard's hash tag, so each script
 * touches one slot and stays legal on Redis Cluster; the prefix lets several Bolt installations (or
 * test classes) share a server. Shard 0's tag is {@code {prefix}}, the tag of every key before
 * shards existed, so a single-Redis installation keeps its keys; shard n > 0's is {@code {prefix:n}}.
 */
public final class Keys {

  private final String tag;
  private final String channel;
  private final int shard;

  /** Shard 0's keys. */
  public Keys(String prefix) {
    this(prefix, 0);
  }

  public Keys(String prefix, int shard) {
    this.tag = shard == 0 ? "{" + prefix + "}:" : "{" + prefix + ":" + shard + "}:";
    this.channel = "{" + prefix + "}:units-back";
    this.shard = shard;
  }

  public int shard() {
    return shard;
  }

  /**
   * Hash of one product: available, inflight, dbstock, dbver, avver, and its sale rules (rules:
   * "limit,starts,ends"; rulesver) (docs/design.md).
   */
  public String product(String productId) {
    return tag + "product:" + productId;
  }

  /** Sorted set of the DB versions of the stock changes (restocks, cancellations) Redis has applied. */
  public String appliedChanges(String productId) {
    return tag + "applied:" + productId;
  }

  /** Hash of customer id to the units counted against the product's per-customer limit. */
  public String customerUnits(String productId) {
    return tag + "bought:" + productId;
  }

  /**
   * Present once a sync has given this Redis every product; its absence means an empty or wiped
   * Redis, in which a missing product proves nothing. Holds the epoch id of that sync.
   */
  public String synced() {
    return tag + "synced";
  }

  /**
   * Pub/sub channel on which every script that gives units back publishes the product's id: API
   * processes forget that they found it sold out (docs/design.md: sold-out answers from memory).
   * A channel is no key: every shard publishes on shard 0's channel (Redis Cluster carries a
   * PUBLISH to every node), so a process subscribes once.
   */
  public String unitsBack() {
    return channel;
  }

  public String queue() {
    return tag + "queue";
  }

  public String processingPrefix() {
    return tag + "processing:";
  }

  public String processing(String workerId) {
    return processingPrefix() + workerId;
  }

  /** Sorted set of worker ids scored by their last heartbeat (ms, Redis clock). */
  public String workers() {
    return tag + "workers";
  }

  /** Hash of worker id to the token of the process that holds it. */
  public String workerOwners() {
    return tag + "worker-owners";
  }

  /**
   * The jobs of the orders accepted and not yet written, GET /order's PENDING: a hash of pending
   * record to its jobs, one per line. The orders of one reservation call share a record
   * (OrderIds.pendingRecord): a field per call costs Redis far less than a field or a key per order.
   * An order of an earlier release has a record of its own, named by its id.
   */
  public String pending() {
    return tag + "pending";
  }

  /** The REJECTED marker of a dead-lettered order (its job, status and reason), kept for a week. */
  public String deadLettered(String orderId) {
    return tag + "order:" + orderId;
  }

  /**
   * An idempotency key is the customer's own: another customer's key of the same text is another
   * key. The customer id is length-prefixed, so no (customer, key) pair can spell another one.
   */
  public String idempotency(String customerId, String idempotencyKey) {
    String customer = customerId == null ? "-" : customerId.length() + ":" + customerId;
    return tag + "idem:" + customer + ":" + idempotencyKey;
  }

  public String deadLetters() {
    return tag + "dead";
  }

  /** Count of products whose available was corrected to the DB stock when they went quiescent. */
  public String drift() {
    return tag + "drift";
  }
}
