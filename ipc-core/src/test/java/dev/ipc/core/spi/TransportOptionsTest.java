package dev.ipc.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportOptionsTest {

  @Test
  void size_acceptsBytesKibAndMib() {
    assertThat(TransportOptions.size("max", "4194304")).isEqualTo(4 * 1024 * 1024);
    assertThat(TransportOptions.size("max", "512KiB")).isEqualTo(512 * 1024);
    assertThat(TransportOptions.size("max", "4MiB")).isEqualTo(4 * 1024 * 1024);
    assertThatThrownBy(() -> TransportOptions.size("max", "0"))
        .hasMessage("max: 0 (expected: 1 to 2147483647 bytes)");
    assertThatThrownBy(() -> TransportOptions.size("max", "4GB")).hasMessageContaining("max: 4GB");
    assertThatThrownBy(() -> TransportOptions.size("max", "4096MiB"))
        .hasMessageContaining("expected: 1 to");
  }

  @Test
  void duration_acceptsUnitsAndIso() {
    assertThat(TransportOptions.duration("t", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(TransportOptions.duration("t", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(TransportOptions.duration("t", "5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(TransportOptions.duration("t", "2h")).isEqualTo(Duration.ofHours(2));
    assertThat(TransportOptions.duration("t", "PT1S")).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> TransportOptions.duration("t", "0s"))
        .hasMessage("t: 0s (expected: > 0)");
    assertThatThrownBy(() -> TransportOptions.duration("t", "soon"))
        .hasMessageContaining("t: soon");
    assertThatThrownBy(() -> TransportOptions.duration("t", ""))
        .hasMessageContaining("expected: a duration");
  }

  @Test
  void positiveAndBool_checkTheirValues() {
    assertThat(TransportOptions.positive("n", "7")).isEqualTo(7);
    assertThatThrownBy(() -> TransportOptions.positive("n", "-1"))
        .hasMessage("n: -1 (expected: > 0)");
    assertThatThrownBy(() -> TransportOptions.positive("n", "x"))
        .hasMessageContaining("an integer > 0");
    assertThat(TransportOptions.bool("b", "TRUE")).isTrue();
    assertThat(TransportOptions.bool("b", "false")).isFalse();
    assertThatThrownBy(() -> TransportOptions.bool("b", "yes"))
        .hasMessage("b: yes (expected: true or false)");
  }
}
