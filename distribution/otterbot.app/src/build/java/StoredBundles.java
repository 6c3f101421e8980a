import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Stores the classes and small files of the jars embedded in the exported jar instead of deflating them (issue 12,
 * start-up).
 *
 * <p>Run by the build after the export and before the class-data-sharing archive is written: {@code java
 * StoredBundles.java JAR}. Every start installs the embedded bundles into a framework cache, and each class the start
 * loads is then read out of its bundle's jar: inflated, with an inflater and a buffer each time, on the start-level
 * thread that starts the bundles one after the other. Profiled (a start of 2.4 s on 2 cores, 2026-12-07): 0.17 s of
 * CPU inflating, 0.11 s of it on that thread, and some 35 MB of the start's ~290 MB of garbage (a collection every
 * ~50 ms). A stored entry is read as it is.
 *
 * <p>What is stored: every {@code .class} entry and every entry of up to 64 KiB (manifests, component descriptions,
 * service files: what a start reads). Larger resources (the embedding model, native libraries) stay deflated: they are
 * read once when first needed, and storing them would double the jar. The entries keep their names, order, times
 * and bytes, so a bundle is the same bundle; only the compression differs (and one manifest, below). Then it writes
 * the SHA-256 digest of each embedded jar into the jar's own manifest ({@link #digested} says who reads them).
 * Idempotent: a jar that needs neither change is not rewritten, so the archive written after it still fits it.
 *
 * <p>One bundle's manifest is changed too: Felix HTTP's Jetty bundle ({@value #JETTY}) no longer asks for the
 * service-loader processor ({@link #WOVEN}). With that requirement SPI Fly rewrites every class a start loads from
 * that bundle (ASM, stack-map frames computed anew), so that Jetty's {@code ServiceLoader} calls see providers
 * registered as OSGi services: 0.15-0.18 s of the start-level thread in profiles. Those calls here are HTTP/2 field
 * pre-encoders (Jetty falls back to its HTTP/1 encoder, the one it registers itself; this server speaks HTTP/1.1),
 * TLS ALPN and credential and authenticator factories (no TLS, no servlet security here). Jetty's own providers are
 * still registered by SPI Fly (the registrar requirement stays). That bundle is not signed. Measured 2026-12-07
 * (issue 12), 10 alternating starts each on fresh homes: to the first 200 4.58 -> 4.30 s (median), CPU by then 5.23 ->
 * 4.90 s.
 */
public final class StoredBundles {
  private static final int SMALL = 64 * 1024;
  /** The embedded jar whose manifest is changed: Felix HTTP's Jetty 12 bundle, any version. */
  static final String JETTY = "jar/org.apache.felix.http.jetty12-";
  /** The filter of the requirement removed from its {@code Require-Capability}. */
  static final String WOVEN = "(osgi.extender=osgi.serviceloader.processor)";
  private static final Attributes.Name REQUIRE_CAPABILITY = new Attributes.Name("Require-Capability");
  /** The manifest attribute bnd's launcher reads an embedded jar's digest from (one of those it knows). */
  static final String DIGEST = "SHA-256-Digest";

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: StoredBundles JAR");
    }
    Path jar = Path.of(args[0]).toAbsolutePath().normalize();
    if (needsRewrite(jar)) {
      long before = Files.size(jar);
      replace(jar, target -> copy(jar, target, (entry, bytes) -> embedded(entry) ? storeClasses(entry, bytes) : bytes));
      System.out.printf("[INFO] Stored the classes of the jars embedded in %s (%,d -> %,d KiB)%n", jar, before / 1024,
          Files.size(jar) / 1024);
    } else {
      System.out.println("[INFO] The jars embedded in " + jar + " store their classes already; kept");
    }
    Manifest digested = digested(jar);
    if (digested != null) {
      ByteArrayOutputStream manifest = new ByteArrayOutputStream();
      digested.write(manifest);
      replace(jar, target -> copy(jar, target,
          (entry, bytes) -> entry.getName().equals(JarFile.MANIFEST_NAME) ? manifest.toByteArray() : bytes));
      System.out.println("[INFO] The manifest of " + jar + " has the SHA-256 digest of each embedded jar");
    }
  }

  /** Writes the new jar with {@code writer} to a temporary file beside {@code jar}, then moves it over {@code jar}. */
  private static void replace(Path jar, Writer writer) throws IOException {
    Path temp = Files.createTempFile(jar.getParent(), jar.getFileName().toString(), ".tmp");
    try {
      writer.write(temp);
      // The temporary file is private (0600); the jar keeps the permissions it had.
      if (jar.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(jar));
      }
      Files.move(temp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private interface Writer {
    void write(Path target) throws IOException;
  }

  /**
   * The jar's manifest with a {@value #DIGEST} for each embedded jar, or null when it has the right one for each
   * already. bnd's launcher reads them: installing into a framework cache it keeps (the start script keeps one in the
   * home), it records each bundle's digest and on later starts installs again only a bundle whose digest changed.
   * Without them it updates every bundle on every start (and a second start on a kept cache failed then, with "No
   * inital startlevel yet").
   */
  static Manifest digested(Path jar) throws IOException {
    try (ZipFile outer = new ZipFile(jar.toFile())) {
      Manifest manifest;
      try (InputStream in = outer.getInputStream(outer.getEntry(JarFile.MANIFEST_NAME))) {
        manifest = new Manifest(in);
      }
      boolean changed = false;
      for (Enumeration<? extends ZipEntry> entries = outer.entries(); entries.hasMoreElements();) {
        ZipEntry entry = entries.nextElement();
        if (!embedded(entry)) {
          continue;
        }
        String digest;
        try (InputStream in = outer.getInputStream(entry)) {
          digest = sha256(in);
        }
        Attributes attributes = manifest.getEntries().computeIfAbsent(entry.getName(), name -> new Attributes());
        if (!digest.equals(attributes.getValue(DIGEST))) {
          attributes.putValue(DIGEST, digest);
          changed = true;
        }
      }
      return changed ? manifest : null;
    }
  }

  private static String sha256(InputStream in) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
    byte[] buffer = new byte[64 * 1024];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      sha.update(buffer, 0, n);
    }
    return Base64.getEncoder().encodeToString(sha.digest());
  }

  /** Whether an embedded jar has an entry that {@link #stored} says to store and that is deflated. */
  private static boolean needsRewrite(Path jar) throws IOException {
    try (ZipFile outer = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> entries = outer.entries(); entries.hasMoreElements();) {
        ZipEntry entry = entries.nextElement();
        if (!embedded(entry)) {
          continue;
        }
        try (ZipInputStream inner = new ZipInputStream(outer.getInputStream(entry))) {
          for (ZipEntry e = inner.getNextEntry(); e != null; e = inner.getNextEntry()) {
            byte[] bytes = inner.readAllBytes();
            if (e.getMethod() != ZipEntry.STORED && stored(e.getName(), bytes.length)) {
              return true;
            }
            if (manifestToChange(entry, e) && unwoven(bytes) != null) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /** Copies {@code jar} to {@code target} entry by entry, each entry's bytes as {@code change} gives them back. */
  private static void copy(Path jar, Path target, Change change) throws IOException {
    try (ZipFile outer = new ZipFile(jar.toFile());
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
      for (Enumeration<? extends ZipEntry> entries = outer.entries(); entries.hasMoreElements();) {
        ZipEntry entry = entries.nextElement();
        byte[] bytes;
        try (InputStream in = outer.getInputStream(entry)) {
          bytes = in.readAllBytes();
        }
        put(out, entry, entry.getMethod(), change.apply(entry, bytes));
      }
    }
  }

  private interface Change {
    byte[] apply(ZipEntry entry, byte[] bytes) throws IOException;
  }

  private static byte[] storeClasses(ZipEntry jarEntry, byte[] jar) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(jar.length * 2);
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar));
        ZipOutputStream out = new ZipOutputStream(buffer)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        byte[] bytes = in.readAllBytes();
        if (manifestToChange(jarEntry, entry)) {
          byte[] changed = unwoven(bytes);
          if (changed != null) {
            System.out.println("[INFO] " + jarEntry.getName() + " no longer asks for the service-loader processor");
            bytes = changed;
          }
        }
        put(out, entry, stored(entry.getName(), bytes.length) ? ZipEntry.STORED : entry.getMethod(), bytes);
      }
    }
    return buffer.toByteArray();
  }

  private static boolean manifestToChange(ZipEntry jar, ZipEntry entry) {
    return jar.getName().startsWith(JETTY) && entry.getName().equals("META-INF/MANIFEST.MF");
  }

  /** The manifest without the {@link #WOVEN} requirement; null when it has none (already changed, or a new version). */
  static byte[] unwoven(byte[] manifestBytes) throws IOException {
    Manifest manifest = new Manifest(new ByteArrayInputStream(manifestBytes));
    String header = manifest.getMainAttributes().getValue(REQUIRE_CAPABILITY);
    if (header == null) {
      return null;
    }
    List<String> clauses = clauses(header);
    List<String> kept = new ArrayList<>();
    for (String clause : clauses) {
      if (!(clause.startsWith("osgi.extender;") && clause.contains(WOVEN))) {
        kept.add(clause);
      }
    }
    if (kept.size() == clauses.size()) {
      return null;
    }
    if (kept.isEmpty()) {
      manifest.getMainAttributes().remove(REQUIRE_CAPABILITY);
    } else {
      manifest.getMainAttributes().put(REQUIRE_CAPABILITY, String.join(",", kept));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(manifestBytes.length);
    manifest.write(out);
    return out.toByteArray();
  }

  /** The clauses of a manifest header: split at the commas outside double quotes. */
  private static List<String> clauses(String header) {
    List<String> clauses = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        clauses.add(header.substring(start, i).trim());
        start = i + 1;
      }
    }
    clauses.add(header.substring(start).trim());
    return clauses;
  }

  /** Writes one entry with the given method, keeping its name, times, extra field and comment. */
  private static void put(ZipOutputStream out, ZipEntry from, int method, byte[] bytes) throws IOException {
    ZipEntry to = new ZipEntry(from.getName());
    to.setTime(from.getTime());
    to.setExtra(from.getExtra());
    to.setComment(from.getComment());
    to.setMethod(method);
    if (method == ZipEntry.STORED) {
      CRC32 crc = new CRC32();
      crc.update(bytes);
      to.setSize(bytes.length);
      to.setCompressedSize(bytes.length);
      to.setCrc(crc.getValue());
    }
    out.putNextEntry(to);
    out.write(bytes);
    out.closeEntry();
  }

  private static boolean embedded(ZipEntry entry) {
    return entry.getName().startsWith("jar/") && entry.getName().endsWith(".jar");
  }

  private static boolean stored(String name, int size) {
    return name.endsWith(".class") || size <= SMALL;
  }

  private StoredBundles() {}
}
