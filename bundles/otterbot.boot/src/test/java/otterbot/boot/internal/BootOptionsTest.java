package otterbot.boot.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BootOptionsTest {
  @Test
  void defaultsBindToLoopbackOnPort3001WithHomeUnderTheWorkingDirectory() {
    var o = BootOptions.resolve(List.of(), Map.of(), Map.of());
    assertEquals("127.0.0.1", o.host());
    assertEquals(3001, o.port());
    assertEquals(Path.of("data").toAbsolutePath(), o.home());
  }

  @Test
  void commandLineBeatsEnvironmentWhichBeatsSystemProperties() {
    var env = Map.of("OTTERBOT_PORT", "4000", "OTTERBOT_HOST", "0.0.0.0", "OTTERBOT_HOME", "/tmp/env-home");
    var sys = Map.of("otterbot.port", "5000", "otterbot.home", "/tmp/sys-home");
    var o = BootOptions.resolve(List.of("--port", "4100", "--home=/tmp/cli-home"), env, sys);
    assertEquals(4100, o.port());
    assertEquals("0.0.0.0", o.host());
    assertEquals(Path.of("/tmp/cli-home"), o.home());
    assertEquals(5000, BootOptions.resolve(List.of(), Map.of(), sys).port());
  }

  @Test
  void badValuesAreRejectedWithAMessageNamingThem() {
    assertEquals("port 'abc' is not a number",
        assertThrows(IllegalArgumentException.class, () -> BootOptions.resolve(List.of("--port", "abc"), Map.of(), Map.of())).getMessage());
    assertEquals("port 70000 is outside 0..65535",
        assertThrows(IllegalArgumentException.class, () -> BootOptions.resolve(List.of(), Map.of("OTTERBOT_PORT", "70000"), Map.of())).getMessage());
    assertEquals("--home needs a value",
        assertThrows(IllegalArgumentException.class, () -> BootOptions.resolve(List.of("--home"), Map.of(), Map.of())).getMessage());
    assertThrows(IllegalArgumentException.class, () -> BootOptions.resolve(List.of("--prot", "1"), Map.of(), Map.of()));
  }
}
