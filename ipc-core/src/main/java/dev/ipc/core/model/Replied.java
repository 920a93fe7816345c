package dev.ipc.core.model;

/**
 * The replies {@link Reply#of} makes: a record, so two replies of equal values are equal, and not
 * public, so the one public concept stays {@link Reply}.
 */
record Replied(Object value, boolean created) implements Reply {}
