package otterbot.api.provider;

/**
 * A tool offered to the model.
 *
 * @param parameters a JSON Schema of the arguments object, as JSON text
 */
public record ToolSpec(String name, String description, String parameters) {}
