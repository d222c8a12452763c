package bolt.http;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written product id check says what its rule, read as a regular expression, says. */
class ProductIdsTest {

  private static final Pattern RULE = Pattern.compile(ProductIds.RULE);

  @Test
  void everyCharacterIsAllowedExactlyWhenTheRuleAllowsIt() {
    for (char c = 0; c < Character.MAX_VALUE; c++) {
      String id = "p" + c + "1";
      assertThat(ProductIds.allowedCharacters(id)).as("U+%04X", (int) c).isEqualTo(RULE.matcher(id).matches());
    }
  }

  @Test
  void randomIdsAgreeWithTheRuleAndTheLengthIsBoundedApart() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String alphabet = "aZ09_.:-{} /\u0000é\uD83D\uDE00";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder id = new StringBuilder();
      for (int n = random.nextInt(70); n > 0; n--) {
        id.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String text = id.toString();
      boolean expected = RULE.matcher(text).matches() && text.length() <= ProductIds.MAX_LENGTH;
      assertThat(ProductIds.valid(text)).as("seed %d, id '%s'", seed, text).isEqualTo(expected);
    }
    assertThat(ProductIds.valid(null)).isFalse();
    assertThat(ProductIds.valid("")).isFalse();
    assertThat(ProductIds.valid("a".repeat(64))).isTrue();
    assertThat(ProductIds.valid("a".repeat(65))).isFalse();
  }
}
