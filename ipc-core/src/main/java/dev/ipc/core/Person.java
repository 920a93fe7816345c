package dev.ipc.core;

import java.util.List;

/** The person of the article's GraphQL example. {@code hobby} is never null. */
public record Person(String name, int age, boolean sex, List<String> hobby) {
  /** Copies {@code hobby}, so a person is immutable. */
  public Person {
    hobby = hobby == null ? List.of() : List.copyOf(hobby);
  }
}
