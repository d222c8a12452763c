package bolt.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records what this JVM logs (through the root logger, at the levels logback.xml lets through) while
 * it is open, for tests of a Bolt running in-process: that a hostile client leaves no ERROR or stack
 * trace in the log, that a fault is reported once and not flooded.
 */
public final class LogCapture implements AutoCloseable {

  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }
  };

  private LogCapture() {
    appender.setContext(root.getLoggerContext());
    appender.setName("test-capture");
    appender.start();
    root.addAppender(appender);
  }

  /** Starts recording. */
  public static LogCapture attach() {
    return new LogCapture();
  }

  /** Forgets what was recorded so far. */
  public void clear() {
    events.clear();
  }

  /** Every event at {@code level} or above, in order. */
  public List<ILoggingEvent> atLeast(Level level) {
    return events.stream().filter(event -> event.getLevel().isGreaterOrEqual(level)).toList();
  }

  /** Events at {@code level} or above whose message contains {@code text}. */
  public List<ILoggingEvent> matching(Level level, String text) {
    return atLeast(level).stream().filter(event -> event.getFormattedMessage().contains(text)).toList();
  }

  /**
   * The recorded lines at ERROR, and lines of any level that carry a stack trace, one string each
   * (level, logger, message): what a client must never be able to add to the log.
   */
  public List<String> errorsAndStackTraces() {
    return events.stream()
        .filter(event -> event.getLevel().isGreaterOrEqual(Level.ERROR) || event.getThrowableProxy() != null)
        .map(LogCapture::line)
        .toList();
  }

  /** The recorded lines at {@code level} or above whose logger name starts with one of {@code prefixes}. */
  public List<String> linesFrom(Level level, String... prefixes) {
    return events.stream()
        .filter(event -> event.getLevel().isGreaterOrEqual(level))
        .filter(event -> List.of(prefixes).stream().anyMatch(prefix -> event.getLoggerName().startsWith(prefix)))
        .map(LogCapture::line)
        .toList();
  }

  /** One line per event, for a failure message. */
  public static String describe(List<ILoggingEvent> events) {
    StringBuilder text = new StringBuilder();
    events.forEach(event -> text.append('\n').append(line(event)));
    return text.toString();
  }

  private static String line(ILoggingEvent event) {
    return event.getLevel() + " " + event.getLoggerName() + " - " + event.getFormattedMessage()
        + (event.getThrowableProxy() == null ? "" : " +stacktrace of " + event.getThrowableProxy().getClassName());
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
