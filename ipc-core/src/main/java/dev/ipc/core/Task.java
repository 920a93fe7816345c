package dev.ipc.core;

/** A task of the article's REST example: an id and a name. */
public record Task(long id, String name) {}
