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
 * it is open, for tests that assert a hostile client leaves no ERROR or stack trace in the log of a
 * Bolt running in-process.
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
