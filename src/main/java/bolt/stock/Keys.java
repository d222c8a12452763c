package bolt.stock;

/**
 * Redis key names. Every key carries the same hash tag, so each script touches one slot and stays
 * legal on Redis Cluster; the prefix lets several Bolt installations (or test classes) share a server.
 */
public final class Keys {

  private final String tag;

  public Keys(String prefix) {
    this.tag = "{" + prefix + "}:";
  }

  /** Hash of one product: available, inflight, dbstock, dbver. */
  public String product(String productId) {
    return tag + "product:" + productId;
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

  /** The job of an order that is accepted but not yet written: GET /order answers PENDING from it. */
  public String order(String orderId) {
    return tag + "order:" + orderId;
  }

  public String idempotency(String idempotencyKey) {
    return tag + "idem:" + idempotencyKey;
  }

  public String deadLetters() {
    return tag + "dead";
  }

  /** Count of products whose available was corrected to the DB stock when they went quiescent. */
  public String drift() {
    return tag + "drift";
  }
}
