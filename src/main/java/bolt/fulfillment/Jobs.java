package bolt.fulfillment;

import io.vertx.core.Future;
import io.vertx.redis.client.Response;

import java.util.List;

/**
 * What a {@link Worker} takes its batches from and settles them with: one shard's queue
 * ({@link WorkQueue}) or every shard's ({@link ShardedQueue}). A batch holds jobs of one shard, and
 * its ack and dead letters go to that shard: the one of the batch returned last.
 */
interface Jobs {

  String workerId();

  /** Up to {@code max} new jobs, waiting up to {@code blockMs} when there are none. */
  Future<List<String>> take(int max, long blockMs);

  /** Up to {@code max} of the oldest jobs already in this worker's processing lists. */
  Future<List<String>> leftovers(int max);

  /** Settles a committed batch's written jobs; returns {settled, corrected} (ack.lua). */
  Future<Response> ack(BatchResult result);

  /** Moves a job of the batch in hand to the dead letters; true when this call moved it. */
  Future<Boolean> deadLetter(String raw, bolt.order.OrderJob job, String reason);
}
