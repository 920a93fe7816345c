package dev.ipc.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.spi.EventBus;
import dev.ipc.core.testing.Interop;
import dev.ipc.redis.testing.RedisProcess;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The raw cluster channels ({@link EventBus.Messages}) of two nodes on one real Redis. */
@Interop
@Timeout(60)
class RedisMessagesTest {
  private RedisProcess redis;
  private EventBus.Node a;
  private EventBus.Node b;

  @BeforeEach
  void start() throws Exception {
    redis = new RedisProcess();
    a = RedisBus.of(redis.uri()).join(List.of(), p -> {});
    b = RedisBus.of(redis.uri()).join(List.of(), p -> {});
  }

  @AfterEach
  void stop() throws Exception {
    a.close();
    b.close();
    redis.close();
  }

  record Heard(String channel, byte[] message) {}

  @Test
  void bytesCrossNodesAsSent_onExactAndPrefixChannels_andComeBackToTheSender() throws Exception {
    BlockingQueue<Heard> exactAtB = new LinkedBlockingQueue<>();
    BlockingQueue<Heard> prefixAtB = new LinkedBlockingQueue<>();
    BlockingQueue<Heard> exactAtA = new LinkedBlockingQueue<>();
    b.messages().listen("socket.io-request#/#", (c, m) -> exactAtB.add(new Heard(c, m)));
    b.messages().listenPrefix("socket.io#/#", (c, m) -> prefixAtB.add(new Heard(c, m)));
    a.messages().listen("socket.io-request#/#", (c, m) -> exactAtA.add(new Heard(c, m)));
    // Exact listeners are SUBSCRIBE: a Node adapter counting servers (PUBSUB NUMSUB) counts both.
    assertThat(redis.subscribers("socket.io-request#/#")).isEqualTo(2);

    byte[] msgpack = {
      (byte) 0x93, (byte) 0xa6, 'a', 'b', 'c', 'd', 'e', 'f', (byte) 0xc0, (byte) 0xff
    };
    a.messages().send("socket.io-request#/#", msgpack);
    Heard heard = exactAtB.poll(10, TimeUnit.SECONDS);
    assertThat(heard).isNotNull();
    assertThat(heard.channel()).isEqualTo("socket.io-request#/#");
    assertThat(heard.message()).containsExactly(msgpack);
    Heard own = exactAtA.poll(10, TimeUnit.SECONDS);
    assertThat(own).isNotNull();
    assertThat(own.message()).containsExactly(msgpack);

    a.messages().send("socket.io#/#", new byte[] {1});
    a.messages().send("socket.io#/#room 1#", new byte[] {2});
    a.messages()
        .send("socket.io#/chat#", new byte[] {3}); // another namespace: not under the prefix
    Heard all = prefixAtB.poll(10, TimeUnit.SECONDS);
    Heard room = prefixAtB.poll(10, TimeUnit.SECONDS);
    assertThat(all.channel()).isEqualTo("socket.io#/#");
    assertThat(room.channel()).isEqualTo("socket.io#/#room 1#");
    assertThat(room.message()).containsExactly(2);
    assertThat(prefixAtB.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(exactAtB).isEmpty();
  }

  @Test
  void aPrefixWithGlobCharactersMatchesOnlyItself() throws Exception {
    BlockingQueue<Heard> heard = new LinkedBlockingQueue<>();
    b.messages().listenPrefix("k[1]*#", (c, m) -> heard.add(new Heard(c, m)));
    a.messages().send("k1x#", new byte[] {1}); // would match the unescaped glob k[1]*#*
    a.messages().send("k[1]*#x", new byte[] {2});
    Heard first = heard.poll(10, TimeUnit.SECONDS);
    assertThat(first.channel()).isEqualTo("k[1]*#x");
    assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aClosedListenerHearsNothingMore_andAnOutageIsCounted() throws Exception {
    BlockingQueue<Heard> heard = new LinkedBlockingQueue<>();
    AutoCloseable handle = b.messages().listen("c#", (c, m) -> heard.add(new Heard(c, m)));
    a.messages().send("c#", new byte[] {1});
    assertThat(heard.poll(10, TimeUnit.SECONDS)).isNotNull();
    handle.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (redis.subscribers("c#") != 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(redis.subscribers("c#")).isZero();
    a.messages().send("c#", new byte[] {2});
    assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).isNull();

    assertThat(a.dropped()).isZero();
    redis.stop();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (a.dropped() == 0 && System.nanoTime() < deadline) {
      a.messages().send("c#", new byte[] {3});
      Thread.sleep(50);
    }
    assertThat(a.dropped()).isPositive();
  }
}
