package otterbot.skills.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import otterbot.api.skill.SkillMeta;

class RequiredCommandsTest {
  @TempDir
  Path bin;

  static SkillMeta needing(String value) {
    return new SkillMeta("video-notes", "Notes from videos", "1.0.0", "me", List.of(), List.of(), Map.of(),
        List.of(), null, null, value == null ? Map.of() : Map.of(RequiredCommands.KEY, value), List.of());
  }

  private void executable(String name) throws IOException {
    Path file = Files.writeString(bin.resolve(name), "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void aSkillIsAvailableWhenEveryCommandItNamesIsOnThePath() throws IOException {
    executable("ffmpeg");
    executable("jq");
    var commands = new RequiredCommands("/nonexistent" + File.pathSeparator + bin);
    assertEquals(Optional.empty(), commands.unavailableReason(needing("ffmpeg, jq")));
    assertEquals(Optional.empty(), commands.unavailableReason(needing(null)), "naming none needs none");
  }

  @Test
  void theReasonNamesWhatIsMissing() throws IOException {
    executable("jq");
    var commands = new RequiredCommands(bin.toString());
    assertEquals(Optional.of("needs the 'ffmpeg' command, which is not on this machine's PATH"),
        commands.unavailableReason(needing("ffmpeg jq")));
    assertEquals(Optional.of("needs the commands 'ffmpeg', 'yt-dlp', which are not on this machine's PATH"),
        commands.unavailableReason(needing("ffmpeg,yt-dlp  jq")));
  }

  @Test
  void aFileThatIsNotExecutableOrADirectoryDoesNotCount() throws IOException {
    Files.writeString(bin.resolve("ffmpeg"), "not a program");
    Files.createDirectory(bin.resolve("jq"));
    var commands = new RequiredCommands(bin.toString());
    assertFalse(commands.installed("ffmpeg"));
    assertFalse(commands.installed("jq"));
    assertTrue(new RequiredCommands(null).unavailableReason(needing("ffmpeg")).isPresent(), "no PATH: none found");
  }

  @Test
  void onlyPlainCommandNamesAreLookedUpAndAtMostSixteen() {
    assertEquals(List.of("ffmpeg", "jq"), RequiredCommands.declared(needing("ffmpeg ../../bin/sh /bin/ls jq ffmpeg")),
        "paths are not command names; a repeat counts once");
    String many = String.join(" ", java.util.stream.IntStream.range(0, 40).mapToObj(i -> "tool" + i).toList());
    assertEquals(RequiredCommands.MAX_COMMANDS, RequiredCommands.declared(needing(many)).size());
  }
}
