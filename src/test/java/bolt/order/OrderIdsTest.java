package bolt.order;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Order ids and the pending records they name (docs/design.md: pending records): the ids of one
 * batch share one record, other batches and lone ids have their own, and an id of an earlier
 * release (version 7) names a record of its own. Pure logic, no backends.
 */
class OrderIdsTest {

  /** The low 40 bits: an id's own, cleared in its record's name. */
  private static final long OWN_BITS = (1L << 40) - 1;

  @Test
  void idsOfOneBatchAreDistinctVersion8IdsOfTheirShardAndTimeThatShareOneRecord() {
    long before = System.currentTimeMillis();
    OrderIds.Batch batch = OrderIds.batch(517);
    List<UUID> ids = IntStream.range(0, ReservationBatcher.MAX_ORDERS).mapToObj(i -> batch.next()).toList();
    long after = System.currentTimeMillis();

    // 40 own random bits each: a full batch's ids collide about once in 500 million batches
    assertThat(new HashSet<>(ids)).as("distinct ids").hasSize(ids.size());
    String record = OrderIds.pendingRecord(ids.get(0));
    for (UUID id : ids) {
      assertThat(id.version()).as("version of %s", id).isEqualTo(8);
      assertThat(id.variant()).as("variant of %s", id).isEqualTo(2);
      assertThat(OrderIds.shard(id, 1024)).as("shard of %s", id).isEqualTo(517);
      assertThat(id.getMostSignificantBits() >>> 16).as("timestamp of %s", id).isBetween(before, after);
      assertThat(OrderIds.pendingRecord(id)).as("record of %s", id).isEqualTo(record);
    }
  }

  @Test
  void aRecordIsTheIdWithItsOwnBitsClearedSoItIsAUuidOfTheSameBatch() {
    UUID id = OrderIds.batch(3).next();

    UUID record = UUID.fromString(OrderIds.pendingRecord(id));

    assertThat(record.getLeastSignificantBits() & OWN_BITS).as("own bits of the record").isZero();
    assertThat(record.getMostSignificantBits()).as("time, version and shard").isEqualTo(id.getMostSignificantBits());
    assertThat(record.getLeastSignificantBits()).as("variant and batch number")
        .isEqualTo(id.getLeastSignificantBits() & ~OWN_BITS);
    assertThat(record.version()).isEqualTo(8);
  }

  @Test
  void differentBatchesHaveDifferentRecords() {
    // batches of one millisecond differ only in their 22-bit batch number: among 1,000 (made within
    // a few milliseconds) a collision or two is chance, a dozen would be a batch number that does not vary
    Set<String> records = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      OrderIds.Batch batch = OrderIds.batch(0);
      records.add(OrderIds.pendingRecord(batch.next()));
    }

    assertThat(records).as("distinct records of 1,000 batches").hasSizeGreaterThanOrEqualTo(990);
  }

  @Test
  void idsMadeOneByOneEachHaveARecordOfTheirOwn() {
    long before = System.currentTimeMillis();
    List<UUID> ids = IntStream.range(0, 1_000).mapToObj(i -> OrderIds.next(42)).toList();
    long after = System.currentTimeMillis();

    Set<String> records = new HashSet<>();
    for (UUID id : ids) {
      assertThat(id.version()).isEqualTo(8);
      assertThat(OrderIds.shard(id, 1024)).isEqualTo(42);
      assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after);
      records.add(OrderIds.pendingRecord(id));
    }
    // as above: each is a batch of its own, so only chance makes two share a record
    assertThat(records).as("distinct records of 1,000 lone ids").hasSizeGreaterThanOrEqualTo(990);
    assertThat(OrderIds.shard(OrderIds.next(), 1024)).as("next() is shard 0's").isZero();
  }

  @Test
  void anIdOfAnEarlierReleaseIsItsOwnRecord() {
    // version 7 and random bits, as Bolt made them before batches: one with the shard marker, one without
    ThreadLocalRandom random = ThreadLocalRandom.current();
    UUID sharded = new UUID((System.currentTimeMillis() << 16) | 0x7000L | 0x800L | 1,
        0x8000000000000000L | (random.nextLong() >>> 2));
    UUID preShard = new UUID((System.currentTimeMillis() << 16) | 0x7000L | 0x123L,
        0x8000000000000000L | (random.nextLong() >>> 2));
    assertThat(sharded.version()).isEqualTo(7);

    assertThat(OrderIds.pendingRecord(sharded)).isEqualTo(sharded.toString());
    assertThat(OrderIds.pendingRecord(preShard)).isEqualTo(preShard.toString());
  }

  @Test
  void aShardOutOfRangeIsRefused() {
    assertThatThrownBy(() -> OrderIds.batch(1024)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OrderIds.next(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(OrderIds.shard(OrderIds.batch(1023).next(), 1024)).isEqualTo(1023);
  }
}
