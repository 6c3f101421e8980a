package otterbot.provider.support;

/**
 * A bundled HTTP provider's configuration, in {@code <home>/etc/<bundle>.cfg} (for example
 * {@code otterbot.provider.openai.cfg}); nothing needs to be set. A DS component property type. Each provider bundle
 * has its own PID: ConfigAdmin binds a configuration to the first bundle that uses it, so one PID cannot serve
 * several bundles.
 */
public @interface ProviderConfiguration {
  /**
   * How long a model's stream may go without data before the reply is abandoned with an error. SSE comments
   * ({@code : ping} heartbeats) are not data: a model that sends only those times out too.
   */
  int idleTimeoutSeconds() default 120;
}
