package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormBodyTest {
  private static List<String> fields(String body) {
    List<String> out = new ArrayList<>();
    for (FormBody.Field f : FormBody.parse(body.getBytes(StandardCharsets.UTF_8))) {
      out.add(
          new String(f.name(), StandardCharsets.UTF_8)
              + "="
              + new String(f.value(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void splitsOnAmpersandsOnly() {
    assertThat(fields("a=1&b=2;c=3&a=4")).containsExactly("a=1", "b=2;c=3", "a=4");
  }

  @Test
  void decodesPlusAndEscapesAndKeepsStrayPercents() {
    assertThat(fields("n%61me=caf%C3%A9+au+lait")).containsExactly("name=café au lait");
    assertThat(fields("a=50%&b=%zz%4&c=%2")).containsExactly("a=50%", "b=%zz%4", "c=%2");
    assertThat(fields("a=%2b%2B")).containsExactly("a=++");
  }

  @Test
  void emptyFieldsAreSkippedAndMissingValuesAreEmpty() {
    assertThat(fields("&&a&b=&=c&")).containsExactly("a=", "b=", "=c");
    assertThat(fields("")).isEmpty();
  }

  @Test
  void theArticlesBodyKeepsItsJson() {
    assertThat(fields("data={\"name\": \"task5\"}")).containsExactly("data={\"name\": \"task5\"}");
  }
}
