package dev.ipc.core;

/** What a date eats: the article's {@code message Eat { string food = 1; }}. */
public record Eat(String food) {}
