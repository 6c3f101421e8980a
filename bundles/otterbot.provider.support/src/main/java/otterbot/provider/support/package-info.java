/**
 * Code shared by the provider bundles: SSE parsing, streaming calls on {@code java.net.http} with idle timeouts and
 * cancellation, failure messages that never carry a secret, and an OpenAI-compatible chat-completions provider.
 *
 * <p>Not exported: each provider bundle embeds the classes it uses with bnd's {@code -conditionalpackage}, so every
 * provider jar is self-contained and can be installed or removed on its own.
 */
package otterbot.provider.support;
