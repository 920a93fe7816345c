package dev.ipc.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionTableTest {
  private final List<Object> set = new ArrayList<>();

  private OptionTable table() {
    return new OptionTable()
        .size("maxMessageBytes", set::add)
        .longSize("maxBufferedBytes", set::add)
        .positive("maxConnections", set::add)
        .integer("maxAliases", set::add)
        .duration("idleTimeout", set::add)
        .bool("compression", set::add)
        .list("cors", origins -> set.add(List.of(origins)))
        .path("ca", set::add)
        .string("adapterKey", set::add)
        .alias("maxBodyBytes", "maxMessageBytes");
  }

  @Test
  void apply_parsesEachKeyWithItsType_inTheMapsOrder() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("maxMessageBytes", "4MiB");
    options.put("maxBufferedBytes", "8GiB");
    options.put("maxConnections", "10");
    options.put("maxAliases", "0");
    options.put("idleTimeout", "30s");
    options.put("compression", "true");
    options.put("cors", "https://a.example, https://b.example");
    options.put("ca", "/etc/ipc/ca.pem");
    options.put("adapterKey", "socket.io");
    table().apply(options);
    assertThat(set)
        .containsExactly(
            4 * 1024 * 1024,
            8L * 1024 * 1024 * 1024,
            10,
            0,
            Duration.ofSeconds(30),
            true,
            List.of("https://a.example", "https://b.example"),
            Path.of("/etc/ipc/ca.pem"),
            "socket.io");
  }

  @Test
  void alias_setsWhatItsNewNameSets_andReportsErrorsUnderItsOwnName() {
    table().apply(Map.of("maxBodyBytes", "1KiB"));
    assertThat(set).containsExactly(1024);
    assertThatThrownBy(() -> table().apply(Map.of("maxBodyBytes", "lots")))
        .hasMessageStartingWith("maxBodyBytes: lots");
  }

  @Test
  void unknownKey_isRefused_listingTheKnownOnesButNotTheAliases() {
    assertThatThrownBy(() -> table().apply(Map.of("maxPayload", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "option: maxPayload (expected: one of maxMessageBytes, maxBufferedBytes, maxConnections, maxAliases,"
                + " idleTimeout, compression, cors, ca or adapterKey)");
    assertThat(table().keys()).doesNotContain("maxBodyBytes").contains("maxMessageBytes");
  }

  @Test
  void setterRefusal_namesTheOption() {
    OptionTable t =
        new OptionTable()
            .integer(
                "maxDepth",
                n -> {
                  throw new IllegalArgumentException("depth: " + n + " (expected: > 0)");
                });
    assertThatThrownBy(() -> t.apply(Map.of("maxDepth", "0")))
        .hasMessage("maxDepth: depth: 0 (expected: > 0)");
    assertThatThrownBy(() -> t.apply(Map.of("maxDepth", "deep")))
        .hasMessageStartingWith("maxDepth: deep");
  }

  @Test
  void bindingAKeyTwice_orAnAliasOfNothing_isAProgrammingError() {
    assertThatThrownBy(() -> new OptionTable().bool("a", b -> {}).bool("a", b -> {}))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new OptionTable().alias("old", "new"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void longSize_acceptsGib_andRefusesZero() {
    assertThat(TransportOptions.longSize("m", "2GiB")).isEqualTo(2L * 1024 * 1024 * 1024);
    assertThat(TransportOptions.longSize("m", "256MiB")).isEqualTo(256L * 1024 * 1024);
    assertThat(TransportOptions.longSize("m", "1000")).isEqualTo(1000);
    assertThatThrownBy(() -> TransportOptions.longSize("m", "0")).hasMessageStartingWith("m: 0");
    assertThatThrownBy(() -> TransportOptions.longSize("m", "lots"))
        .hasMessageStartingWith("m: lots");
  }
}
