package bolt.http;

/**
 * What a product id may be: 1 to 64 of {@code [A-Za-z0-9_.:-]}. Ids become part of Redis key names
 * (no braces: hash tags; no spaces) and of URL paths as they are. Checked by hand rather than by a
 * regular expression: every order names a product, and a matcher per order was a measurable share
 * of a refusal's cost during a sale (bench/README.md, "Hot product").
 */
final class ProductIds {

  static final int MAX_LENGTH = 64;
  /** The rule as clients read it in an error message. */
  static final String RULE = "[A-Za-z0-9_.:-]+";

  private ProductIds() {
  }

  /** Whether every character is allowed (the length is checked apart, so that the message can say which). */
  static boolean allowedCharacters(String id) {
    if (id.isEmpty()) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == ':' || c == '-';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  static boolean valid(String id) {
    return id != null && id.length() <= MAX_LENGTH && allowedCharacters(id);
  }
}
