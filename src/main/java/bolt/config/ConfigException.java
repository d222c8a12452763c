package bolt.config;

/** A setting is missing or invalid; the message names the setting and the problem in one line. */
public class ConfigException extends RuntimeException {

  public ConfigException(String setting, String problem) {
    super(setting + ": " + problem);
  }
}
