package dev.ipc.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made at test time with the JDK's own {@code keytool} (so a machine with only a JDK
 * and Maven can run the TLS tests): a CA, a server certificate for {@code localhost} and {@code
 * 127.0.0.1} signed by it, and a client certificate signed by it, all PEM, keys in PKCS#8. Nothing
 * is checked in, so nothing expires in the repository.
 *
 * @param dir the folder holding the files
 */
public record TestCertificates(Path dir) {
  // Only guards the throwaway keystores in the test's own temporary folder.
  private static final String STORE_PASSWORD = "changeit";

  /** Makes a fresh set in {@code dir}. */
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    TestCertificates c = new TestCertificates(dir);
    c.keyPair("ca", "CN=ipc test CA", "-ext", "bc:c");
    c.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
    c.signed(
        "server",
        "CN=localhost",
        "-ext",
        "san=dns:localhost,ip:127.0.0.1",
        "-ext",
        "eku=serverAuth");
    c.signed("client", "CN=test client", "-ext", "eku=clientAuth");
    return c;
  }

  /** A key pair (self-signed until the CA signs it) in {@code name.p12}. */
  private void keyPair(String name, String subject, String... extensions)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                name,
                "-keystore",
                name + ".p12",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                subject));
    args.addAll(List.of(extensions));
    keytool(args.toArray(String[]::new));
  }

  /** {@code name.pem} signed by the CA with {@code extensions}, and its key as {@code name.key}. */
  private void signed(String name, String subject, String... extensions)
      throws IOException, InterruptedException {
    keyPair(name, subject);
    keytool("-certreq", "-alias", name, "-keystore", name + ".p12", "-file", name + ".csr");
    List<String> args =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                "ca.p12",
                "-validity",
                "2",
                "-infile",
                name + ".csr",
                "-outfile",
                name + ".pem"));
    args.addAll(List.of(extensions));
    keytool(args.toArray(String[]::new));
    writeKey(name);
  }

  /**
   * Writes the private key in {@code name.p12} as PEM PKCS#8 ({@code BEGIN PRIVATE KEY}), as
   * openssl does.
   */
  private void writeKey(String name) throws IOException {
    try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, STORE_PASSWORD.toCharArray());
      byte[] pkcs8 = store.getKey(name, STORE_PASSWORD.toCharArray()).getEncoded();
      String base64 =
          Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8);
      Files.writeString(
          dir.resolve(name + ".key"),
          "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n",
          StandardCharsets.US_ASCII);
    } catch (GeneralSecurityException e) {
      throw new IOException("reading " + name + ".p12", e);
    }
  }

  /** Runs the running JDK's keytool (by its path, not PATH) in {@link #dir}. */
  private void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    cmd.addAll(
        List.of(
            "-storetype",
            "PKCS12",
            "-storepass",
            STORE_PASSWORD,
            "-keypass",
            STORE_PASSWORD,
            "-noprompt"));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }

  /** Returns the CA certificate (PEM), the trust anchor for clients and for client certificates. */
  public Path ca() {
    return dir.resolve("ca.pem");
  }

  /** Returns the server's certificate chain (PEM). */
  public Path serverCert() {
    return dir.resolve("server.pem");
  }

  /** Returns the server's private key (PEM, PKCS#8). */
  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** Returns the client's certificate (PEM), for mutual TLS. */
  public Path clientCert() {
    return dir.resolve("client.pem");
  }

  /** Returns the client's private key (PEM, PKCS#8). */
  public Path clientKey() {
    return dir.resolve("client.key");
  }
}
