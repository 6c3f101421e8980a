package otterbot.server.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.Preprocessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Lets only the public port's forwarder through to the internal Jetty.
 *
 * <p>Why: Jetty listens on a loopback port of its own, which any program on the machine can reach, and so can any web
 * page the user opens, through DNS rebinding, once it has found the port. That port has none of the public port's
 * checks (Host, Origin, content type, API token), so it must not answer anybody but the front. The front sends a key
 * made at random when this bundle starts ({@link #HEADER}); every request without it, for every servlet context, REST
 * and assets alike, gets {@code 403} in the one error shape and never reaches a servlet. A client cannot learn the key:
 * it never leaves this process, and the front replaces whatever a client sends in that header.
 *
 * <p>A whiteboard {@link Preprocessor} rather than a filter: it runs before the servlet contexts are even chosen, so a
 * context registered later is covered too. Registered as soon as the bundle starts, with no dependencies, so it is in
 * place before the front forwards anything.
 */
@Component(service = {Preprocessor.class, InternalPortGuard.class}, immediate = true)
public final class InternalPortGuard implements Preprocessor {
  /** The request header that carries the key from the front to Jetty. */
  public static final String HEADER = "X-Otterbot-Front";

  static final String REFUSED = "forbidden: use the public port";

  private static final Logger LOG = LoggerFactory.getLogger(InternalPortGuard.class);
  private static final byte[] REFUSED_BODY = JsonErrors.body(REFUSED);

  private final String key;
  private final byte[] keyBytes;

  public InternalPortGuard() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    this.key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    this.keyBytes = key.getBytes(StandardCharsets.US_ASCII);
  }

  /** What the front sends in {@link #HEADER}. */
  String key() {
    return key;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String presented = request instanceof HttpServletRequest http ? http.getHeader(HEADER) : null;
    // Constant time: the answer's timing must not tell how much of a guess was right.
    if (presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.US_ASCII), keyBytes)) {
      chain.doFilter(request, response);
      return;
    }
    LOG.debug("Refused a request that did not come through the public port: {}", request.getRemoteAddr());
    if (response instanceof HttpServletResponse http) {
      http.setStatus(HttpServletResponse.SC_FORBIDDEN);
      http.setContentType("application/json; charset=utf-8");
      http.setContentLength(REFUSED_BODY.length);
      http.getOutputStream().write(REFUSED_BODY);
    }
  }
}
