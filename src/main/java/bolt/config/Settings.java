package bolt.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Typed, validated reads of dotted paths in the JSON document of {@link BoltConfig}. */
final class Settings {
  private final JsonObject root;
  private final Map<String, String> origin = new HashMap<>();

  Settings(JsonObject root) {
    this.root = root;
  }

  void override(String path, String variable, String value) {
    JsonObject parent = parentOf(path, true);
    parent.put(leaf(path), value);
    origin.put(path, variable);
  }

  private Object raw(String path) {
    JsonObject parent = parentOf(path, false);
    return parent == null ? null : parent.getValue(leaf(path));
  }

  String name(String path) {
    return origin.getOrDefault(path, path);
  }

  int integer(String path, int fallback, int min, int max) {
    Object value = raw(path);
    if (value == null) {
      return fallback;
    }
    long parsed;
    if (value instanceof Integer || value instanceof Long) {
      parsed = ((Number) value).longValue();
    } else if (value instanceof String text && text.trim().matches("-?\\d{1,10}")) {
      parsed = Long.parseLong(text.trim());
    } else {
      throw new ConfigException(name(path), "must be an integer, got " + value);
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(name(path), "must be between " + min + " and " + max + ", got " + parsed);
    }
    return (int) parsed;
  }

  boolean bool(String path, boolean fallback) {
    Object value = raw(path);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = value.toString().trim().toLowerCase();
    if (text.equals("true") || text.equals("1") || text.equals("yes")) {
      return true;
    }
    if (text.equals("false") || text.equals("0") || text.equals("no")) {
      return false;
    }
    throw new ConfigException(name(path), "must be true or false, got " + value);
  }

  String text(String path, String fallback) {
    Object value = raw(path);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException(name(path), "must be a string, got " + value);
    }
    return text;
  }

  String keyPrefix(String path, String fallback) {
    String prefix = text(path, fallback);
    if (!prefix.matches("[A-Za-z0-9_.:-]{1,64}")) {
      throw new ConfigException(name(path), "must be 1-64 characters of [A-Za-z0-9_.:-], got '" + prefix + "'");
    }
    return prefix;
  }

  String uri(String path, String fallback, String... schemes) {
    return checkedUri(path, text(path, fallback), schemes);
  }

  /** A list of URIs: a JSON array, or one string of comma-separated URIs (as an environment variable gives it). */
  List<String> uris(String path, String... schemes) {
    Object value = raw(path);
    List<String> uris = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(item -> uris.add(String.valueOf(item).trim()));
    } else if (value != null) {
      for (String item : value.toString().split(",")) {
        uris.add(item.trim());
      }
    }
    uris.removeIf(String::isEmpty);
    uris.forEach(uri -> checkedUri(path, uri, schemes));
    return List.copyOf(uris);
  }

  private String checkedUri(String path, String text, String... schemes) {
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null || !List.of(schemes).contains(uri.getScheme())) {
        throw new ConfigException(name(path), "must start with one of " + String.join(", ", schemes) + "://");
      }
      if (!uri.getScheme().equals("unix") && uri.getHost() == null) {
        throw new ConfigException(name(path), "has no host: " + text);
      }
    } catch (URISyntaxException e) {
      throw new ConfigException(name(path), "is not a valid URI: " + text);
    }
    return text;
  }

  String postgresUri(String path, String fallback) {
    String text = uri(path, fallback, "postgresql", "postgres");
    try {
      PgConnectOptions.fromUri(text);
    } catch (RuntimeException e) {
      throw new ConfigException(name(path), "is not a valid PostgreSQL URI: " + text);
    }
    return text;
  }

  Set<String> roles(String path) {
    Object value = raw(path);
    Set<String> roles = new LinkedHashSet<>();
    if (value == null) {
      roles.add(BoltConfig.ROLE_HTTP);
      roles.add(BoltConfig.ROLE_FULFILLMENT);
    } else if (value instanceof JsonArray array) {
      array.forEach(role -> roles.add(String.valueOf(role).trim()));
    } else {
      for (String role : value.toString().split(",")) {
        roles.add(role.trim());
      }
    }
    roles.remove("");
    if (roles.isEmpty()) {
      throw new ConfigException(name(path), "names no role; use http, fulfillment or both");
    }
    for (String role : roles) {
      if (!role.equals(BoltConfig.ROLE_HTTP) && !role.equals(BoltConfig.ROLE_FULFILLMENT)) {
        throw new ConfigException(name(path), "unknown role '" + role + "'; use http, fulfillment or both");
      }
    }
    return Set.copyOf(roles);
  }

  private JsonObject parentOf(String path, boolean create) {
    String[] parts = path.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.getValue(parts[i]);
      if (!(child instanceof JsonObject)) {
        if (!create) {
          return null;
        }
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = (JsonObject) child;
    }
    return node;
  }

  private static String leaf(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }
}

