package bolt.order;

/**
 * How many replicas must have a reservation's writes before its answers go out (redis.waitReplicas;
 * docs/design.md: replication), and what to do when a WAIT hears from fewer.
 */
public record Replication(int replicas, Runnable shortWait) {

  /** Answer without waiting for any replica (the default). */
  public static final Replication NONE = new Replication(0, () -> { });
}
