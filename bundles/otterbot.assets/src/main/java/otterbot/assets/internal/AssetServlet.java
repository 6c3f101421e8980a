package otterbot.assets.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import otterbot.api.asset.AssetFile;
import otterbot.api.asset.AssetLibrary;
import otterbot.assets.internal.AssetRequests.Full;
import otterbot.assets.internal.AssetRequests.Part;
import otterbot.assets.internal.AssetRequests.Range;

/**
 * {@code GET} and {@code HEAD /assets/3d/<path>}: the library's files, streamed (never read whole into memory), with
 * their content type, {@code nosniff}, a strong {@code ETag} and {@code Last-Modified} (and the 304s they allow), and
 * single byte ranges ({@code If-Range} honoured; several ranges get the whole file). Files of asset bundles may be
 * cached for an hour ({@code private} when the request carried the API token); files of the home directory are
 * revalidated on every use ({@code no-cache}), because users replace them while the server runs and a cheap 304 beats
 * an hour of a stale model.
 *
 * <p>The path is read raw, before any decoding, and refused with a 400 when it holds dot segments, encoded slashes,
 * backslashes, encoded dots or NUL (the public port refuses most of these already; this does not rely on it).
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("otterbot.assets")
@HttpWhiteboardServletPattern(AssetServlet.PATTERN)
public final class AssetServlet extends HttpServlet {
  static final String PATTERN = "/assets/3d/*";
  static final String PREFIX = "/assets/3d/";
  static final String BUNDLE_CACHE = "public, max-age=3600";
  /** Behind the API token: a shared cache must not hand the file to clients that have none. */
  static final String BUNDLE_CACHE_AUTHORIZED = "private, max-age=3600";
  static final String HOME_CACHE = "no-cache";
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(AssetServlet.class);
  private static final int BUFFER = 64 * 1024;

  private final transient AssetLibrary library;

  @Activate
  public AssetServlet(@Reference AssetLibrary library) {
    this.library = library;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String method = request.getMethod();
    boolean head = "HEAD".equals(method);
    if (!head && !"GET".equals(method)) {
      response.setHeader("Allow", "GET, HEAD");
      error(response, 405, "method not allowed: assets are read with GET or HEAD");
      return;
    }
    String raw = request.getRequestURI(); // still percent-encoded, without the query
    String prefix = request.getContextPath() + PREFIX;
    String path = raw != null && raw.startsWith(prefix) ? AssetRequests.decode(raw.substring(prefix.length())) : null;
    if (path == null) {
      error(response, 400, AssetRequests.BAD_PATH);
      return;
    }
    Optional<AssetFile> found = library.file(path);
    if (found.isEmpty()) {
      error(response, 404, "no such asset");
      return;
    }
    AssetFile file = found.get();
    String source = file instanceof ServedFile served ? served.source() : "";
    boolean changing = file instanceof ServedFile served && served.changing();
    long size = file.size();
    long lastModified = file.lastModified();
    String etag = AssetRequests.etag(source, file.path(), size, lastModified);

    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("ETag", etag);
    if (lastModified > 0) {
      response.setHeader("Last-Modified", AssetRequests.httpDate(lastModified));
    }
    response.setHeader("Cache-Control", changing ? HOME_CACHE
        : request.getHeader("Authorization") != null ? BUNDLE_CACHE_AUTHORIZED : BUNDLE_CACHE);
    response.setHeader("Accept-Ranges", "bytes");

    String ifNoneMatch = request.getHeader("If-None-Match");
    if (ifNoneMatch != null ? AssetRequests.noneMatchHits(ifNoneMatch, etag)
        : AssetRequests.notModifiedSince(request.getHeader("If-Modified-Since"), lastModified)) {
      response.setStatus(304);
      return;
    }

    Range range = AssetRequests.ifRangeHolds(request.getHeader("If-Range"), etag, lastModified)
        ? AssetRequests.range(request.getHeader("Range"), size) : new Full();
    if (range instanceof AssetRequests.Unsatisfiable) {
      response.setHeader("Content-Range", "bytes */" + size);
      error(response, 416, "range not satisfiable: the file has " + size + " bytes");
      return;
    }
    long first = 0;
    long length = size;
    if (range instanceof Part part) {
      response.setStatus(206);
      response.setHeader("Content-Range", part.contentRange(size));
      first = part.first();
      length = part.length();
    } else {
      response.setStatus(200);
    }
    response.setContentType(AssetRequests.contentType(file.path()));
    response.setContentLengthLong(length);
    if (head) {
      return;
    }
    try (InputStream in = file.open()) {
      in.skipNBytes(first);
      copy(in, response.getOutputStream(), length);
    } catch (IOException e) {
      // the client went away, or the file changed or vanished under us: the connection ends short
      LOG.debug("Serving {} stopped: {}", path, e.toString());
      if (!response.isCommitted()) {
        response.reset();
        error(response, 404, "no such asset");
      }
    }
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buffer = new byte[(int) Math.min(BUFFER, Math.max(1, length))];
    long left = length;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new IOException("the file ended " + left + " bytes early");
      }
      out.write(buffer, 0, read);
      left -= read;
    }
  }

  private static void error(HttpServletResponse response, int status, String message) throws IOException {
    byte[] body = ("{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json; charset=utf-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
