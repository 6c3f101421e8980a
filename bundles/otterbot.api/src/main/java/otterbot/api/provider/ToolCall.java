package otterbot.api.provider;

/**
 * A tool call the model made.
 *
 * @param id the provider's call id, echoed back with the result
 * @param name the tool's name
 * @param arguments the arguments as a JSON object text ({@code "{}"} when there are none)
 */
public record ToolCall(String id, String name, String arguments) {}
