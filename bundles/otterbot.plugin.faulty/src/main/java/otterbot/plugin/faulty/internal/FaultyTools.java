package otterbot.plugin.faulty.internal;

import org.osgi.service.component.annotations.Component;

import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;

/**
 * Tools that break the {@link Tool} contract in the ways a server must survive: an invalid JSON schema and an invalid
 * name (both must be skipped when they bind), and a result of 10 MiB (must reach neither the model nor the client
 * whole).
 */
final class FaultyTools {
  private FaultyTools() {}

  /** A schema that is not JSON. */
  @Component(service = Tool.class)
  public static final class BadSchema implements Tool {
    @Override
    public String name() {
      return "faulty_bad_schema";
    }

    @Override
    public String description() {
      return "A tool whose JSON schema does not parse.";
    }

    @Override
    public String parameters() {
      return "{\"type\": \"object\", \"properties\": {oops";
    }

    @Override
    public String invoke(ToolContext context, String arguments) {
      return "{\"ran\":\"faulty_bad_schema\"}";
    }
  }

  /** A name the model APIs refuse. */
  @Component(service = Tool.class)
  public static final class BadName implements Tool {
    @Override
    public String name() {
      return "faulty bad name!";
    }

    @Override
    public String description() {
      return "A tool whose name is not a tool name.";
    }

    @Override
    public String parameters() {
      return "{\"type\":\"object\"}";
    }

    @Override
    public String invoke(ToolContext context, String arguments) {
      return "{\"ran\":\"faulty bad name!\"}";
    }
  }

  /** A valid tool whose result is 10 MiB of JSON. */
  @Component(service = Tool.class)
  public static final class HugeResult implements Tool {
    static final int SIZE = 10 * 1024 * 1024;

    @Override
    public String name() {
      return "faulty_huge_result";
    }

    @Override
    public String description() {
      return "Returns 10 MiB of JSON.";
    }

    @Override
    public String parameters() {
      return "{\"type\":\"object\",\"properties\":{}}";
    }

    @Override
    public String invoke(ToolContext context, String arguments) {
      StringBuilder out = new StringBuilder(SIZE + 16).append("{\"data\":\"");
      out.append("x".repeat(SIZE - out.length() - 2));
      return out.append("\"}").toString();
    }
  }
}
