package otterbot.skills.internal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import otterbot.api.skill.SkillMeta;

/**
 * The command-line tools a skill says it needs (issue 10, item 8), and whether this machine has them. A skill names
 * them in its agentskills.io {@code metadata}, whose values are strings: {@code metadata: {requires-bins: "ffmpeg jq"}}
 * (separated by spaces or commas). A skill whose tools are missing is listed as unavailable with the reason, not
 * hidden, like upstream's macOS-only catalog entries.
 *
 * <p>Looked up on the server's {@code PATH} each time a listing asks: a tool installed while the server runs counts at
 * once. A lookup is a few {@code stat} calls.
 */
final class RequiredCommands {
  /** The {@code metadata} key. */
  static final String KEY = "requires-bins";
  /** More than this many are not looked up (a skill needs a handful). */
  static final int MAX_COMMANDS = 16;
  /** A command name, not a path: nothing that could point outside the PATH's directories. */
  private static final Pattern COMMAND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

  private final List<Path> path;

  /** Looks commands up in these directories. */
  RequiredCommands(String pathVariable) {
    var dirs = new ArrayList<Path>();
    if (pathVariable != null) {
      for (String dir : pathVariable.split(Pattern.quote(File.pathSeparator))) {
        if (dir.isBlank()) {
          continue;
        }
        try {
          dirs.add(Path.of(dir));
        } catch (InvalidPathException e) {
          // a malformed PATH entry finds nothing, as a shell would
        }
      }
    }
    this.path = List.copyOf(dirs);
  }

  /** Looks commands up on this process's {@code PATH}. */
  static RequiredCommands ofThisProcess() {
    return new RequiredCommands(System.getenv("PATH"));
  }

  /** The commands the skill declares, in order, without repeats; names that are not plain commands are left out. */
  static List<String> declared(SkillMeta meta) {
    String value = meta == null ? null : meta.metadata().get(KEY);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    Set<String> commands = new LinkedHashSet<>();
    for (String name : value.strip().split("[\\s,]+")) {
      if (COMMAND.matcher(name).matches() && commands.size() < MAX_COMMANDS) {
        commands.add(name);
      }
    }
    return List.copyOf(commands);
  }

  /** Why the skill cannot work here ("needs the 'ffmpeg' command, ..."), or empty when all it names are here. */
  Optional<String> unavailableReason(SkillMeta meta) {
    List<String> missing = declared(meta).stream().filter(c -> !installed(c)).toList();
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    String names = String.join(", ", missing.stream().map(c -> "'" + c + "'").toList());
    return Optional.of(missing.size() == 1
        ? "needs the " + names + " command, which is not on this machine's PATH"
        : "needs the commands " + names + ", which are not on this machine's PATH");
  }

  boolean installed(String command) {
    for (Path dir : path) {
      Path file = dir.resolve(command);
      if (Files.isRegularFile(file) && Files.isExecutable(file)) {
        return true;
      }
    }
    return false;
  }
}
