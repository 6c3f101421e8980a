package otterbot.assets.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import otterbot.api.asset.EnvironmentPack;
import otterbot.api.asset.ModelPack;
import otterbot.assets.internal.AssetMerge.Merged;
import otterbot.assets.internal.AssetMerge.Source;

/** Upstream's §13 rules, and how several packs merge. */
class AssetMergeTest {
  static Source source(MapPack pack) {
    return new Source(pack.name(), pack, pack.paths());
  }

  static Merged merge(MapPack... packs) {
    var sources = new ArrayList<Source>();
    for (MapPack p : packs) {
      sources.add(source(p));
    }
    return AssetMerge.merge(sources);
  }

  @Test
  void aModelPackTakesTheFirstCharacterByNameAndItsAnimationsFromRigMedium() {
    Merged m = merge(new MapPack("b",
        "workers/orc-brute/characters/Zed.glb",
        "workers/orc-brute/characters/Orc.glb",
        "workers/orc-brute/characters/notes.txt",
        "workers/orc-brute/Animations/gltf/Rig_Medium/Rig_Medium_General.glb",
        "workers/orc-brute/Animations/gltf/Rig_Medium/Rig_Medium_MovementBasic.glb",
        "workers/orc-brute/Animations/gltf/Rig_Large/Rig_Large_Working.glb",
        "workers/orc-brute/artwork.png"));
    ModelPack pack = m.modelPacks().get(0);
    assertEquals("orc-brute", pack.id());
    assertEquals("Orc Brute", pack.name());
    assertEquals("/assets/3d/workers/orc-brute/characters/Orc.glb", pack.characterUrl());
    assertEquals("/assets/3d/workers/orc-brute/artwork.png", pack.thumbnailUrl());
    assertEquals("/assets/3d/workers/orc-brute/Animations/gltf/Rig_Medium/Rig_Medium_General.glb",
        pack.animations().idle());
    assertEquals("/assets/3d/workers/orc-brute/Animations/gltf/Rig_Medium/Rig_Medium_MovementBasic.glb",
        pack.animations().action());
    assertNull(pack.animations().working(), "Rig_Large is not read while Rig_Medium has clips");
    assertEquals("b", pack.source());
  }

  @Test
  void missingClipsFallBackToTheCharacterAndRigLargeIsTheSecondChoice() {
    Merged m = merge(new MapPack("b",
        "workers/lone/characters/Lone.glb",
        "workers/big/characters/Big.glb",
        "workers/big/Animations/gltf/Rig_Large/Big_Working.glb"));
    ModelPack big = m.modelPacks().get(0);
    assertEquals("big", big.id());
    assertEquals(big.characterUrl(), big.animations().idle());
    assertEquals(big.characterUrl(), big.animations().action());
    assertEquals("/assets/3d/workers/big/Animations/gltf/Rig_Large/Big_Working.glb", big.animations().working());
    ModelPack lone = m.modelPacks().get(1);
    assertEquals(lone.characterUrl(), lone.thumbnailUrl(), "no artwork.png: the character is the thumbnail");
  }

  @Test
  void aDirectoryWithoutACharacterGlbIsNoPack() {
    Merged m = merge(new MapPack("b", "workers/empty/artwork.png", "workers/deep/characters/x/Deep.glb",
        "environments/none/models/readme.md", "environments/deep/models/x/a.gltf"));
    assertTrue(m.modelPacks().isEmpty(), m.modelPacks().toString());
    assertTrue(m.environmentPacks().isEmpty(), m.environmentPacks().toString());
  }

  @Test
  void environmentPacksListTheirGltfFilesSorted() {
    Merged m = merge(new MapPack("b", "environments/kaykit-prototype-bits/models/wall_door.gltf",
        "environments/kaykit-prototype-bits/models/Floor_Tile.gltf",
        "environments/kaykit-prototype-bits/models/Floor_Tile.bin"));
    EnvironmentPack pack = m.environmentPacks().get(0);
    assertEquals("Kaykit Prototype Bits", pack.name());
    assertEquals(List.of(new EnvironmentPack.Asset("Floor_Tile", "Floor Tile",
        "/assets/3d/environments/kaykit-prototype-bits/models/Floor_Tile.gltf"),
        new EnvironmentPack.Asset("wall_door", "wall door",
            "/assets/3d/environments/kaykit-prototype-bits/models/wall_door.gltf")), pack.assets());
  }

  @Test
  void theHigherRankedPackWinsAnIdWholeAndServesItsFiles() {
    MapPack home = new MapPack("home", "workers/pete/characters/Mine.glb", "scenes/office.json");
    MapPack bundle = new MapPack("bundle", "workers/pete/characters/Pete.glb", "workers/pete/artwork.png",
        "workers/orc/characters/Orc.glb", "scenes/office.json", "scenes/world.json");
    Merged m = merge(home, bundle);
    assertEquals(List.of("orc", "pete"), m.modelPacks().stream().map(ModelPack::id).toList());
    ModelPack pete = m.modelPacks().get(1);
    assertEquals("home", pete.source());
    assertEquals("/assets/3d/workers/pete/characters/Mine.glb", pete.thumbnailUrl(),
        "the bundle's artwork.png is not mixed into the home pack's pete");
    assertEquals("home", AssetMerge.owner(m, "workers/pete/artwork.png").orElseThrow().name());
    assertEquals("bundle", AssetMerge.owner(m, "workers/orc/characters/Orc.glb").orElseThrow().name());
    assertEquals("home", AssetMerge.owner(m, "scenes/office.json").orElseThrow().name());
    assertEquals("bundle", AssetMerge.owner(m, "scenes/world.json").orElseThrow().name());
    assertFalse(AssetMerge.owner(m, "other/file.png").isPresent());
  }

  @Test
  void titleCaseIsUpstreams() {
    assertEquals("Orc Brute", AssetMerge.titleCase("orc-brute"));
    assertEquals("4gtn Forgotten", AssetMerge.titleCase("4gtn-forgotten"));
    assertEquals("Toy_soldier", AssetMerge.titleCase("toy_soldier"));
  }

  @Test
  void urlsAreEncodedPerSegment() {
    assertEquals("/assets/3d/workers/my%20pack/characters/%C3%9Cber.glb",
        AssetPaths.url("workers/my pack/characters/\u00dcber.glb"));
    assertEquals("workers/my pack/characters/\u00dcber.glb",
        AssetRequests.decode("workers/my%20pack/characters/%C3%9Cber.glb"));
  }
}
