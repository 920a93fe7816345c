package dev.ipc.core;

/** What a date watches: the article's {@code message Movie { string film = 1; }}. */
public record Movie(String film) {}
