package otterbot.provider.support;

import java.net.http.HttpRequest;

import otterbot.api.provider.ProviderException;

/**
 * Starts HTTP requests from user settings, turning settings that cannot be sent into messages the user can act on
 * (and that hold no secret: the JDK's own messages may quote the offending value).
 */
public final class Requests {
  private Requests() {}

  /** A request to {@code path} under the endpoint. */
  public static HttpRequest.Builder to(Endpoint endpoint, String path, Failures failures) throws ProviderException {
    try {
      return HttpRequest.newBuilder(endpoint.uri(path));
    } catch (IllegalArgumentException e) {
      throw new ProviderException(failures.invalidBaseUrl(e.getMessage()));
    }
  }

  /** Sets a header whose value is the secret {@code secretName}. */
  public static HttpRequest.Builder secretHeader(HttpRequest.Builder request, String header, String value,
      String secretName) throws ProviderException {
    try {
      return request.header(header, value);
    } catch (IllegalArgumentException e) {
      throw new ProviderException(secretName + " contains characters that cannot be sent in an HTTP header");
    }
  }
}
