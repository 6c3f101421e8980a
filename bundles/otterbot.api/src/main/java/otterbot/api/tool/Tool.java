package otterbot.api.tool;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A tool the model can call, registered as an OSGi service. Names must be unique among the registered tools
 * ({@code [a-zA-Z0-9_-]{1,64}}, as the model APIs require); when two services share a name the one with the higher
 * service ranking wins.
 *
 * <p>{@link #invoke} runs on a chat worker thread and may block (for example while another agent answers); it should
 * honour thread interruption, which is how a cancelled turn stops it.
 */
@ConsumerType
public interface Tool {
  /** The name the model calls it by. */
  String name();

  /** What it does, for the model. */
  String description();

  /** A JSON Schema of the arguments object, as JSON text, for example {@code {"type":"object","properties":{}}}. */
  String parameters();

  /** Whether the agent of this context may use the tool. Defaults to every agent. */
  default boolean availableTo(ToolContext context) {
    return true;
  }

  /**
   * Runs the tool.
   *
   * @param arguments the model's arguments, a JSON object text
   * @return the result for the model, as JSON text
   * @throws ToolException for a failure the model should be told about (its message is passed on as
   *     {@code {"ok":false,"error":message}}); the message must not contain a secret
   */
  String invoke(ToolContext context, String arguments) throws ToolException, InterruptedException;
}
