package dev.ipc.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made at test time with the {@code openssl} command (Debian's): a CA, a server
 * certificate for {@code localhost} and {@code 127.0.0.1} signed by it, and a client certificate signed
 * by it, all PEM, keys in PKCS#8. Nothing is checked in, so nothing expires in the repository.
 *
 * @param dir the folder holding the files
 */
public record TestCertificates(Path dir) {
  /** Makes a fresh set in {@code dir}. */
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    TestCertificates c = new TestCertificates(dir);
    Files.writeString(
        dir.resolve("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n", StandardCharsets.UTF_8);
    c.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ipc test CA",
        "-keyout", "ca.key", "-out", "ca.pem");
    c.signed("server", "/CN=localhost", "server.ext");
    c.signed("client", "/CN=test client", "client.ext");
    return c;
  }

  private void signed(String name, String subject, String ext) throws IOException, InterruptedException {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", name + ".key",
        "-out", name + ".csr");
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", ext, "-out", name + ".pem");
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
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
