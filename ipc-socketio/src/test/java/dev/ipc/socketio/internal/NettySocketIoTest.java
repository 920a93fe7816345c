package dev.ipc.socketio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.corundumstudio.socketio.handler.ClientHead;
import java.lang.invoke.MethodType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reflective members ipc-socketio's fixes reach are checked, and one that is missing is
 * reported by name with the netty-socketio version found and the one expected, never skipped.
 */
class NettySocketIoTest {
  @Test
  void everyMemberOfThePinnedVersionIsFound() {
    assertThat(NettySocketIo.loadedVersion()).isEqualTo(NettySocketIo.VERSION);
    NettySocketIo.check();
    assertThat(NettySocketIo.field(ClientHead.class, "channels", Map.class)).isNotNull();
  }

  @Test
  void aMissingField_failsNamingItAndTheVersions() {
    assertThatThrownBy(() -> NettySocketIo.field(ClientHead.class, "channelsRenamed", Map.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("netty-socketio 2.0.14 (expected: 2.0.14): ")
        .hasMessageContaining("com.corundumstudio.socketio.handler.ClientHead.channelsRenamed")
        .hasMessageEndingWith("use netty-socketio 2.0.14");
  }

  @Test
  void aMissingMethod_failsNamingItAndTheVersions() {
    assertThatThrownBy(
            () ->
                NettySocketIo.method(
                    ClientHead.class, "noSuchMethod", MethodType.methodType(void.class)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ClientHead.noSuchMethod()")
        .hasMessageContaining("(expected: 2.0.14)");
  }
}
