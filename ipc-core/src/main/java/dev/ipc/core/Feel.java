package dev.ipc.core;

/** How the date felt: the article's {@code message Feel { bool feeling = 1; }}. */
public record Feel(boolean feeling) {}
