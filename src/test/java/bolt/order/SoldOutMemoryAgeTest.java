package bolt.order;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ages of the sold-out memory (docs/design.md: sold-out answers from memory), on a clock the
 * test moves: the bound counts from the moment the call that saw the product sold out was sent;
 * past half the bound one order checks again while the rest are still refused from memory; a
 * units-back message voids the checks on their way. {@link SoldOutMemoryTest} shows the same through
 * Bolt, Redis and the units-back channel.
 */
class SoldOutMemoryAgeTest {

  private static final long BOUND_MS = 200;

  private long nanos = 1_000_000_000L;
  private SoldOutMemory memory;

  @BeforeEach
  void listening() {
    memory = new SoldOutMemory(BOUND_MS, () -> nanos);
    memory.listening(true);
  }

  private void advanceMs(long ms) {
    nanos += TimeUnit.MILLISECONDS.toNanos(ms);
  }

  /** "p" seen sold out, then past half the bound: the order that checks Redis again goes out. */
  private void soldOutThenCheckGoesOut() {
    memory.seen("p", 0, memory.now());
    advanceMs(BOUND_MS / 2 + 1);
    assertThat(memory.soldOut("p")).as("the check goes out").isFalse();
  }

  @Test
  void theBoundCountsFromWhenTheCallWasSentNotFromItsAnswer() {
    long sentAt = memory.now();
    advanceMs(30); // the answer took 30 ms to come
    memory.seen("p", 0, sentAt);
    advanceMs(BOUND_MS - 30 + 1);
    assertThat(memory.soldOut("p")).as("past the bound from the send").isFalse();
  }

  @Test
  void pastHalfTheBoundOneOrderChecksAgainAndTheOthersAreStillRefused() {
    memory.seen("p", 0, memory.now());
    advanceMs(BOUND_MS / 2);
    assertThat(memory.soldOut("p")).as("at half the bound").isTrue();

    advanceMs(1);
    assertThat(memory.soldOut("p")).as("the first order past half the bound goes to Redis").isFalse();
    long checkSent = memory.now();
    for (int i = 0; i < 5; i++) {
      assertThat(memory.soldOut("p")).as("the orders while that check is on its way").isTrue();
    }

    advanceMs(5);
    memory.seen("p", 0, checkSent);
    advanceMs(BOUND_MS / 2 - 5);
    assertThat(memory.soldOut("p")).as("renewed by the check, counting from its send").isTrue();
    advanceMs(1);
    assertThat(memory.soldOut("p")).as("half a bound after that check, the next check").isFalse();
  }

  @Test
  void aCheckThatFindsUnitsEndsTheMemory() {
    soldOutThenCheckGoesOut();
    memory.seen("p", 3, memory.now());
    assertThat(memory.soldOut("p")).as("units found").isFalse();
    assertThat(memory.soldOut("p")).as("for every order after it").isFalse();
  }

  @Test
  void aCheckAnsweredWithAnotherRefusalEndsTheMemory() {
    soldOutThenCheckGoesOut();
    memory.forget("p"); // as OrderService does for SALE_ENDED, UNKNOWN_PRODUCT, ...
    assertThat(memory.soldOut("p")).as("the next orders get Redis's answer").isFalse();
  }

  @Test
  void aCheckThatNeverAnswersLeavesTheMemoryToEndAtTheBound() {
    soldOutThenCheckGoesOut(); // and is lost
    advanceMs(BOUND_MS / 2 - 2);
    assertThat(memory.soldOut("p")).as("still within the bound").isTrue();
    advanceMs(2);
    assertThat(memory.soldOut("p")).as("past the bound, every order asks Redis").isFalse();
    assertThat(memory.soldOut("p")).isFalse();
  }

  @Test
  void unitsBackForgetAtOnceAndVoidTheChecksOnTheirWay() {
    memory.seen("p", 0, memory.now());
    assertThat(memory.soldOut("p")).isTrue();
    long checkSent = memory.now();
    advanceMs(1);
    memory.unitsBack("p");
    assertThat(memory.soldOut("p")).as("forgotten on the message").isFalse();

    advanceMs(1);
    memory.seen("p", 0, checkSent);
    assertThat(memory.soldOut("p")).as("a sold-out answer to a call sent before the message").isFalse();

    memory.seen("p", 0, memory.now());
    assertThat(memory.soldOut("p")).as("a call sent after it is remembered").isTrue();
  }

  @Test
  void aLostSubscriptionForgetsEverythingAndWhatWasCheckedMeanwhile() {
    memory.seen("p", 0, memory.now());
    long checkSent = memory.now();
    advanceMs(1);
    memory.listening(false);
    assertThat(memory.soldOut("p")).as("memory unused while not listening").isFalse();
    long checkSentWhileDeaf = memory.now();
    advanceMs(1);
    memory.seen("q", 0, checkSentWhileDeaf);
    memory.listening(true);
    memory.seen("r", 0, checkSent);

    assertThat(memory.soldOut("p")).as("forgotten when the subscription was lost").isFalse();
    assertThat(memory.soldOut("q")).as("seen while news could not come").isFalse();
    assertThat(memory.soldOut("r")).as("answered after, to a call sent before").isFalse();
    memory.seen("p", 0, memory.now());
    assertThat(memory.soldOut("p")).as("a call sent once listening again").isTrue();
  }

  @Test
  void aBoundOfZeroRemembersNothing() {
    SoldOutMemory off = SoldOutMemory.off();
    off.listening(true);
    off.seen("p", 0, off.now());
    assertThat(off.soldOut("p")).isFalse();
  }
}
