package otterbot.assets.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

import otterbot.api.asset.AssetPack;
import otterbot.api.asset.Scene;

/** The library over registered packs: ranking, scenes, fallbacks, and the paths it refuses. */
class AssetLibraryImplTest {
  private static long ids = 1;

  /** Enough of a service reference for ordering: ranking, then id. */
  record Ref(long id, int ranking, String name) implements ServiceReference<AssetPack> {
    @Override
    public Object getProperty(String key) {
      return switch (key) {
        case Constants.SERVICE_ID -> id;
        case Constants.SERVICE_RANKING -> ranking;
        case AssetPack.NAME -> name;
        default -> null;
      };
    }

    @Override
    public String[] getPropertyKeys() {
      return new String[] {Constants.SERVICE_ID, Constants.SERVICE_RANKING, AssetPack.NAME};
    }

    @Override
    public Bundle getBundle() {
      return null;
    }

    @Override
    public Bundle[] getUsingBundles() {
      return null;
    }

    @Override
    public boolean isAssignableTo(Bundle bundle, String className) {
      return true;
    }

    @Override
    public int compareTo(Object other) {
      Ref o = (Ref) other;
      if (ranking != o.ranking) {
        return Integer.compare(ranking, o.ranking);
      }
      return Long.compare(o.id, id); // the lower id ranks higher
    }

    @Override
    public Dictionary<String, Object> getProperties() {
      return new Hashtable<>(Map.of(Constants.SERVICE_ID, id, Constants.SERVICE_RANKING, ranking));
    }

    @Override
    public <A> A adapt(Class<A> type) {
      return null;
    }
  }

  static Ref add(AssetLibraryImpl library, MapPack pack, int ranking) {
    var ref = new Ref(ids++, ranking, pack.name());
    library.addPack(ref, pack);
    return ref;
  }

  @Test
  void scenesAreReturnedAsWrittenAndBadOnesAreLeftOut() {
    var library = new AssetLibraryImpl();
    add(library, new MapPack("b")
        .with("scenes/office.json", "{ \"id\": \"office\", \"props\": [] }\n")
        .with("scenes/array.json", "[1, 2]")
        .with("scenes/broken.json", "{\"id\": ")
        .with("scenes/twice.json", "{\"a\":1,\"a\":2}")
        .with("scenes/two.json", "{} {}"), 0);
    List<Scene> scenes = library.scenes();
    assertEquals(List.of(new Scene("office", "{ \"id\": \"office\", \"props\": [] }", "b")), scenes);
  }

  @Test
  void aHugeSceneIsLeftOut() {
    var library = new AssetLibraryImpl();
    add(library, new MapPack("b").with("scenes/big.json",
        "{\"x\":\"" + "a".repeat((int) AssetLibraryImpl.MAX_SCENE_BYTES) + "\"}"), 0);
    assertTrue(library.scenes().isEmpty());
  }

  @Test
  void theHigherRankingWinsAndRemovingItRevealsTheOther() throws IOException {
    var library = new AssetLibraryImpl();
    add(library, new MapPack("bundle", "workers/pete/characters/Pete.glb"), 0);
    Ref home = add(library, new MapPack("home", "workers/pete/characters/Pete.glb"), 1000);
    assertEquals("home", library.modelPacks().get(0).source());
    assertEquals("home:workers/pete/characters/Pete.glb",
        new String(library.file("workers/pete/characters/Pete.glb").orElseThrow().open().readAllBytes()));
    library.removePack(home, null);
    assertEquals("bundle", library.modelPacks().get(0).source());
  }

  @Test
  void theEffectiveModelPackFallsBackToPeteThenTheFirstInstalled() {
    var library = new AssetLibraryImpl();
    assertEquals("orc", library.effectiveModelPack("orc"), "nothing installed: what was asked");
    Ref zed = add(library, new MapPack("b", "workers/zed/characters/Z.glb", "workers/amy/characters/A.glb"), 0);
    assertEquals("amy", library.effectiveModelPack("orc"));
    assertEquals("zed", library.effectiveModelPack("zed"));
    add(library, new MapPack("c", "workers/prototype-pete/characters/P.glb"), 0);
    assertEquals("prototype-pete", library.effectiveModelPack("orc"));
    assertEquals("prototype-pete", library.effectiveModelPack(null));
    assertTrue(library.hasModelPack("zed"));
    library.removePack(zed, null);
    assertFalse(library.hasModelPack("zed"));
  }

  /** A pack that hands out the same listing again is not merged again; a new listing is merged at once. */
  @Test
  void theMergeIsKeptWhileEveryPackReturnsTheSameListing() {
    var library = new AssetLibraryImpl();
    var calls = new java.util.concurrent.atomic.AtomicInteger();
    var listing = new java.util.concurrent.atomic.AtomicReference<List<String>>(
        List.of("workers/amy/characters/A.glb"));
    var pack = new MapPack("b") {
      @Override
      public List<String> paths() {
        calls.incrementAndGet();
        return listing.get();
      }
    };
    add(library, pack, 0);
    List<?> first = library.modelPacks();
    assertTrue(first == library.modelPacks(), "the same merge, not a new one");
    assertTrue(library.hasModelPack("amy"));
    assertEquals(3, calls.get(), "the pack is still asked on every request");

    listing.set(List.of("workers/amy/characters/A.glb", "workers/zed/characters/Z.glb"));
    assertTrue(library.hasModelPack("zed"), "a new listing is merged at once");
    Ref other = add(library, new MapPack("c", "workers/bob/characters/B.glb"), 0);
    assertTrue(library.hasModelPack("bob"), "a new pack is merged at once");
    library.removePack(other, null);
    assertFalse(library.hasModelPack("bob"), "and its removal too");
  }

  @Test
  void unsafeAndHiddenPathsAreNeverLookedUp() {
    var library = new AssetLibraryImpl();
    add(library, new MapPack("b", "a/b.glb", "a/.secret", "..", "a/../b.glb"), 0);
    assertTrue(library.file("a/b.glb").isPresent());
    for (String path : List.of("a/.secret", "..", "a/../b.glb", "/a/b.glb", "a//b.glb", "a\\b.glb", "a/b.glb\0",
        "./a/b.glb", "")) {
      assertFalse(library.file(path).isPresent(), path);
    }
  }

  @Test
  void aFileOutsideEveryPacksIdsComesFromTheFirstPackHoldingIt() throws IOException {
    var library = new AssetLibraryImpl();
    add(library, new MapPack("low", "textures/wood.png"), 0);
    add(library, new MapPack("high", "other.txt"), 10);
    assertEquals("low:textures/wood.png",
        new String(library.file("textures/wood.png").orElseThrow().open().readAllBytes()));
  }
}
