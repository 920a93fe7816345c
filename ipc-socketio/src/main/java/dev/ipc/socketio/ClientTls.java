package dev.ipc.socketio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * The client's TLS, for OkHttp (which socket.io-client's Java port speaks through): trust the JDK's
 * default store or the CA certificates of a PEM file, and present a PEM certificate chain with its
 * unencrypted PKCS#8 key for mutual TLS. Built with java.security alone; errors name the files,
 * never their contents. OkHttp checks the server's name against its certificate.
 */
final class ClientTls {
  private ClientTls() {}

  /**
   * Makes {@code http} speak TLS trusting {@code ca} (null: the JDK's trust), presenting {@code
   * cert}.
   */
  static void apply(OkHttpClient.Builder http, Path ca, Path cert, Path key) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (ca == null) {
        tmf.init((KeyStore) null);
      } else {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        int i = 0;
        for (Certificate c : certificates(ca, "ca")) {
          trusted.setCertificateEntry("ca" + i++, c);
        }
        tmf.init(trusted);
      }
      X509TrustManager trust = null;
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          trust = x;
        }
      }
      if (trust == null) {
        throw new GeneralSecurityException("no X.509 trust manager");
      }
      javax.net.ssl.KeyManager[] keyManagers = null;
      if (cert != null) {
        char[] password = new char[0];
        KeyStore own = KeyStore.getInstance("PKCS12");
        own.load(null, null);
        own.setKeyEntry(
            "client",
            privateKey(key),
            password,
            certificates(cert, "cert").toArray(new Certificate[0]));
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(own, password);
        keyManagers = kmf.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, new TrustManager[] {trust}, null);
      http.sslSocketFactory(context.getSocketFactory(), trust);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          "cannot set up client TLS (ca="
              + (ca == null ? "system" : ca)
              + (cert == null ? "" : ", cert=" + cert + ", key=" + key)
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static Collection<? extends Certificate> certificates(Path pem, String name)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new GeneralSecurityException(name + ": " + pem + " holds no certificate");
      }
      return certs;
    }
  }

  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int from = text.indexOf(begin);
    int to = text.indexOf("-----END PRIVATE KEY-----");
    if (from < 0 || to < from) {
      throw new GeneralSecurityException(
          "key: " + pem + " (expected: an unencrypted PKCS#8 PEM key)");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // Not this algorithm: the next one.
      }
    }
    throw new GeneralSecurityException(
        "key: " + pem + " (expected: an RSA, EC or EdDSA PKCS#8 key)");
  }
}
