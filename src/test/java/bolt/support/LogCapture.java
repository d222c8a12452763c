package bolt.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * What an in-process Bolt logs while a test runs: a logback appender on the root logger, from
 * {@link #start()} until {@link #close()}. For tests that assert a fault is reported once, and that
 * a client cannot flood the log.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture() {
  }

  public static LogCapture start() {
    LogCapture capture = new LogCapture();
    capture.appender.setContext(capture.root.getLoggerContext());
    capture.appender.start();
    capture.root.addAppender(capture.appender);
    return capture;
  }

  /** Every event at {@code level} or above, in order. */
  public List<ILoggingEvent> atLeast(Level level) {
    // AppenderBase appends under the appender's own lock
    synchronized (appender) {
      return appender.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(level)).toList();
    }
  }

  /** Events at {@code level} or above whose message contains {@code text}. */
  public List<ILoggingEvent> matching(Level level, String text) {
    return atLeast(level).stream().filter(event -> event.getFormattedMessage().contains(text)).toList();
  }

  /** One line per event, for a failure message. */
  public static String describe(List<ILoggingEvent> events) {
    StringBuilder text = new StringBuilder();
    events.forEach(event -> text.append('\n').append(event.getLevel()).append(' ').append(event.getLoggerName())
        .append(": ").append(event.getFormattedMessage()));
    return text.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
