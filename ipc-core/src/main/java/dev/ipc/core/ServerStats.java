package dev.ipc.core;

import java.util.Map;

/**
 * What a running server holds and has done, read at one moment ({@link Server#stats()}): the
 * numbers an operator graphs beside the per-call metrics (ipc-micrometer publishes them).
 *
 * @param callsInFlight calls running or queued now, streams included
 * @param queuedCalls calls waiting for an executor thread (-1 when a host executor does not say)
 * @param refusedCalls calls refused since start because the executor was saturated (answered
 *     RESOURCE_EXHAUSTED; -1 when a host executor does not say)
 * @param openStreams streams open now, over every transport
 * @param streamedValues values written to streams since start
 * @param streamsEndedBehind streams ended since start because their subscriber fell behind
 *     (RESOURCE_EXHAUSTED): what they had not read was dropped
 * @param connections open client connections per transport that counts them (Socket.IO: sessions)
 * @param eventsDelivered events handed to client connections since start, one per recipient, per
 *     transport that pushes events to connections outside streams (Socket.IO: published values' and
 *     hosts' broadcasts)
 * @param eventsDropped events of those transports that did not reach a recipient they were meant
 *     for (its connection was closing or too far behind), per transport
 * @param busDropped published values and cluster messages this node could not hand to the other
 *     nodes (the bus was unreachable): they reached this node's own clients only; 0 on one node
 */
public record ServerStats(
    int callsInFlight,
    int queuedCalls,
    long refusedCalls,
    int openStreams,
    long streamedValues,
    long streamsEndedBehind,
    Map<String, Integer> connections,
    Map<String, Long> eventsDelivered,
    Map<String, Long> eventsDropped,
    long busDropped) {
  /** Copies the maps. */
  public ServerStats {
    connections = Map.copyOf(connections);
    eventsDelivered = Map.copyOf(eventsDelivered);
    eventsDropped = Map.copyOf(eventsDropped);
  }
}
