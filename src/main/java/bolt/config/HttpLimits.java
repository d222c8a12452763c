package bolt.config;

/**
 * How long and how many connections the HTTP edge holds, so that slow or idle clients cannot pin
 * sockets and file descriptors during a sale.
 *
 * @param idleTimeoutMs     a kept-alive connection with no new request for this long is closed
 * @param headerTimeoutMs   a new connection must have sent a complete request head within this (slowloris)
 * @param bodyTimeoutMs     a request body must have arrived complete within this of its head (408 otherwise)
 * @param maxConnections    open connections per process; beyond it a new connection is closed at once
 */
public record HttpLimits(long idleTimeoutMs, long headerTimeoutMs, long bodyTimeoutMs, int maxConnections) {
}
