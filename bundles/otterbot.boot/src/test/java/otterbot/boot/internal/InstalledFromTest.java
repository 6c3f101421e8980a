package otterbot.boot.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Which bundles a start uninstalls before FileInstall scans again: those it installed from a watched directory in an
 * earlier run (kept in the framework cache the start script keeps in the home), and no other.
 */
class InstalledFromTest {
  private final List<Path> watched =
      BootActivator.watchedDirectories("/srv/otterbot/etc, /srv/otterbot/deploy,,");

  @Test
  void theWatchedDirectoriesAreFileInstallsCommaSeparatedList() {
    assertEquals(List.of(Path.of("/srv/otterbot/etc"), Path.of("/srv/otterbot/deploy")), watched);
    assertEquals(List.of(), BootActivator.watchedDirectories(null));
  }

  @Test
  void aBundleFileInstallInstalledFromADeployedJarIsFound() {
    assertEquals(Path.of("/srv/otterbot/deploy/skills.jar"),
        BootActivator.installedFrom("file:/srv/otterbot/deploy/skills.jar", watched));
    assertEquals(Path.of("/srv/otterbot/deploy/sub/pack.jar"),
        BootActivator.installedFrom("file:/srv/otterbot/deploy/./sub/pack.jar", watched));
  }

  @Test
  void theLaunchersBundlesAndEverythingElseAreLeftAlone() {
    assertNull(BootActivator.installedFrom("jar/otterbot.core-0.1.0.jar", watched), "embedded in the jar");
    assertNull(BootActivator.installedFrom("System Bundle", watched));
    assertNull(BootActivator.installedFrom(null, watched));
    assertNull(BootActivator.installedFrom("file:/srv/otterbot/deployed/other.jar", watched), "a sibling folder");
    assertNull(BootActivator.installedFrom("file:/srv/otterbot/deploy/../lib/x.jar", watched), "outside after ..");
    assertNull(BootActivator.installedFrom("file:/srv/otterbot/deploy", watched), "the folder itself");
    assertNull(BootActivator.installedFrom("file:relative%zz", watched), "not a URI");
    assertNull(BootActivator.installedFrom("reference:file:/srv/otterbot/deploy/x.jar", watched), "not FileInstall's");
  }
}
