package otterbot.provider.support;

/**
 * The bundled HTTP providers' configuration, {@code <home>/etc/otterbot.providers.cfg} (every provider reads the same
 * file; nothing needs to be set). A DS component property type.
 */
public @interface ProviderConfiguration {
  String PID = "otterbot.providers";

  /**
   * How long a model's stream may go without data before the reply is abandoned with an error. SSE comments
   * ({@code : ping} heartbeats) are not data: a model that sends only those times out too.
   */
  int idleTimeoutSeconds() default 120;
}
