package bolt.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), as a scraper reads it:
 * HELP and TYPE comments, then samples {@code name{label="value",...} value}. A line that is none of
 * these fails the read, so a test of /metrics fails on anything Prometheus would reject.
 */
public final class PrometheusText {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( -?\\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
  private static final Pattern TYPE = Pattern.compile("# TYPE (\\S+) (counter|gauge|histogram|summary|untyped)");

  /** One sample: its name, its labels, its value. */
  public record Sample(String name, Map<String, String> labels, double value) {
  }

  private final List<Sample> samples;
  private final Map<String, String> types;

  private PrometheusText(List<Sample> samples, Map<String, String> types) {
    this.samples = samples;
    this.types = types;
  }

  public static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new HashMap<>();
    int number = 0;
    for (String line : text.split("\n", -1)) {
      number++;
      if (line.isEmpty() || line.startsWith("# HELP ")) {
        continue;
      }
      Matcher type = TYPE.matcher(line);
      if (type.matches()) {
        if (types.put(type.group(1), type.group(2)) != null) {
          throw new AssertionError("line " + number + ": a second TYPE for " + type.group(1));
        }
        continue;
      }
      if (line.startsWith("#")) {
        throw new AssertionError("line " + number + ": not a HELP or TYPE comment: " + line);
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        throw new AssertionError("line " + number + ": not a sample: " + line);
      }
      samples.add(new Sample(sample.group(1), labels(sample.group(3), number, line), value(sample.group(4), number)));
    }
    return new PrometheusText(samples, types);
  }

  private static Map<String, String> labels(String text, int number, String line) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return labels;
    }
    Matcher label = LABEL.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!label.find(at) || label.start() != at) {
        throw new AssertionError("line " + number + ": bad labels: " + line);
      }
      if (labels.put(label.group(1), label.group(2)) != null) {
        throw new AssertionError("line " + number + ": label " + label.group(1) + " twice: " + line);
      }
      at = label.end();
    }
    return labels;
  }

  private static double value(String text, int number) {
    switch (text) {
      case "NaN": return Double.NaN;
      case "+Inf": return Double.POSITIVE_INFINITY;
      case "-Inf": return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new AssertionError("line " + number + ": not a number: " + text);
        }
    }
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The family's TYPE (counter, gauge, histogram, ...), or null. */
  public String type(String family) {
    return types.get(family);
  }

  /** The samples of this exact name. */
  public List<Sample> named(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(name);
    }
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /**
   * The value of the one sample with this name whose labels include {@code labels} (pairs:
   * "reason", "INSUFFICIENT_STOCK"); fails when there is none or more than one.
   */
  public double value(String name, String... labels) {
    List<Sample> found = named(name).stream().filter(s -> has(s, labels)).toList();
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " samples " + name + " with labels " + String.join(",", labels)
          + " (expected one)");
    }
    return found.get(0).value();
  }

  /** The sum of every sample with this name whose labels include {@code labels}; 0 when none. */
  public double sum(String name, String... labels) {
    return named(name).stream().filter(s -> has(s, labels)).mapToDouble(Sample::value).sum();
  }

  private static boolean has(Sample sample, String... labels) {
    for (int i = 0; i + 1 < labels.length; i += 2) {
      if (!labels[i + 1].equals(sample.labels().get(labels[i]))) {
        return false;
      }
    }
    return true;
  }
}
