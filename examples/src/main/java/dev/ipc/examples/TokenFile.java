package dev.ipc.examples;

import dev.ipc.core.Principal;
import dev.ipc.core.TokenVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The example server's tokens: a file of {@code token=role,role} lines ({@code #} starts a
 * comment). Tokens are kept as SHA-256 digests and looked up by the digest of what a caller
 * presents, so no token sits in memory in the clear and the lookup's timing says nothing about a
 * token's characters. A principal is named after its line, never after its token.
 */
final class TokenFile implements TokenVerifier {
  private final Map<String, Principal> byDigest;

  private TokenFile(Map<String, Principal> byDigest) {
    this.byDigest = byDigest;
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming the line of a malformed entry (never its token)
   */
  static TokenFile load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<String, Principal> map = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": no '=' (expected: token=role,role)");
      }
      Set<String> roles =
          Set.copyOf(
              Arrays.stream(line.substring(eq + 1).split(","))
                  .map(String::strip)
                  .filter(r -> !r.isEmpty())
                  .toList());
      map.put(digest(line.substring(0, eq).strip()), new Principal("token@line" + (i + 1), roles));
    }
    return new TokenFile(Map.copyOf(map));
  }

  @Override
  public Principal verify(String token) {
    return byDigest.get(digest(token));
  }

  private static String digest(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
