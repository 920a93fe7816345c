package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.PersonService;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A tour of the public API as a host uses it: every builder setting, then a call through the client. */
class GraphqlPublicApiTest {
  @Test
  void everySetting_buildsAWorkingTransportAndClient() {
    GraphqlTransport transport =
        GraphqlTransport.builder()
            .host("127.0.0.1")
            .port(0)
            .maxDepth(10)
            .maxFields(200)
            .maxTokens(5_000)
            .maxAliases(5)
            .introspection(false)
            .graphiql(false)
            .documentCacheSize(100)
            .maxBodyBytes(64 * 1024)
            .cors("https://example.org")
            .build();
    assertThat(transport.name()).isEqualTo("graphql");
    assertThat(transport.address()).isEqualTo("127.0.0.1:0");
    assertThat(GraphqlTransport.of(4444).address()).isEqualTo("0.0.0.0:4444");
    assertThat(GraphqlTransport.builder().host("::1").port(1).build().address()).isEqualTo("[::1]:1");

    try (Server server = Transports.serve(Reference.services(), transport);
        GraphqlClient client =
            GraphqlClient.builder()
                .target("127.0.0.1", server.port("graphql"))
                .timeout(Duration.ofSeconds(5))
                .build()) {
      assertThat(client.uri().toString()).isEqualTo("http://127.0.0.1:" + server.port("graphql") + "/graphql");
      assertThat(client.service(PersonService.DESCRIPTOR).person().hobby()).hasSize(5);
    }
  }
}
