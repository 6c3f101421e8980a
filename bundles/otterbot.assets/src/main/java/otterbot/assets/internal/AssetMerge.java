package otterbot.assets.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import otterbot.api.asset.AssetPack;
import otterbot.api.asset.EnvironmentPack;
import otterbot.api.asset.ModelPack;

/**
 * Upstream's discovery rules (upstream-behaviour §13) applied to several packs at once. Within one pack the "first"
 * file is the first by name, so the answer never depends on the order a file system or a jar lists files in. Across
 * packs the first source (the highest ranking) that holds a model pack, environment pack or scene of an id wins it
 * whole: its files are served for that id, never a mix of two packs' files.
 */
final class AssetMerge {
  static final String WORKERS = "workers/";
  static final String ENVIRONMENTS = "environments/";
  static final String SCENES = "scenes/";

  /** One pack with its listed paths (already bounded, safe and without hidden files). */
  record Source(String name, AssetPack pack, List<String> paths) {}

  /** A scene file that won its id. */
  record SceneFile(String id, Source source, String path) {}

  /** What the sources hold, merged: the listings and which source owns each id. */
  record Merged(List<ModelPack> modelPacks, List<EnvironmentPack> environmentPacks, List<SceneFile> scenes,
      Map<String, Source> modelOwners, Map<String, Source> environmentOwners, Map<String, Source> sceneOwners) {}

  private AssetMerge() {}

  /** @param sources highest ranking first */
  static Merged merge(List<Source> sources) {
    var models = new TreeMap<String, ModelPack>();
    var modelOwners = new LinkedHashMap<String, Source>();
    var environments = new TreeMap<String, EnvironmentPack>();
    var environmentOwners = new LinkedHashMap<String, Source>();
    var scenes = new TreeMap<String, SceneFile>();
    var sceneOwners = new LinkedHashMap<String, Source>();
    for (Source source : sources) {
      Tree tree = Tree.of(source.paths());
      for (var pack : tree.modelPacks(source.name()).entrySet()) {
        if (models.putIfAbsent(pack.getKey(), pack.getValue()) == null) {
          modelOwners.put(pack.getKey(), source);
        }
      }
      for (var pack : tree.environmentPacks(source.name()).entrySet()) {
        if (environments.putIfAbsent(pack.getKey(), pack.getValue()) == null) {
          environmentOwners.put(pack.getKey(), source);
        }
      }
      for (var scene : tree.scenes.entrySet()) {
        if (scenes.putIfAbsent(scene.getKey(), new SceneFile(scene.getKey(), source, scene.getValue())) == null) {
          sceneOwners.put(scene.getKey(), source);
        }
      }
    }
    return new Merged(List.copyOf(models.values()), List.copyOf(environments.values()),
        List.copyOf(scenes.values()), Collections.unmodifiableMap(modelOwners),
        Collections.unmodifiableMap(environmentOwners), Collections.unmodifiableMap(sceneOwners));
  }

  /**
   * The source that serves a path: the owner of its model pack, environment pack or scene when one owns it, else
   * none (the caller then takes the first source holding the file).
   */
  static Optional<Source> owner(Merged merged, String path) {
    String dir = directory(path, WORKERS);
    if (dir != null) {
      return Optional.ofNullable(merged.modelOwners().get(dir));
    }
    dir = directory(path, ENVIRONMENTS);
    if (dir != null) {
      return Optional.ofNullable(merged.environmentOwners().get(dir));
    }
    if (path.startsWith(SCENES) && path.indexOf('/', SCENES.length()) < 0 && path.endsWith(".json")) {
      return Optional.ofNullable(merged.sceneOwners().get(
          path.substring(SCENES.length(), path.length() - ".json".length())));
    }
    return Optional.empty();
  }

  /** {@code workers/<dir>/...} gives {@code <dir>}. */
  private static String directory(String path, String prefix) {
    if (!path.startsWith(prefix)) {
      return null;
    }
    int slash = path.indexOf('/', prefix.length());
    return slash < 0 ? null : path.substring(prefix.length(), slash);
  }

  /** {@code orc-brute} becomes {@code Orc Brute}: split on {@code -}, each word capitalised (upstream). */
  static String titleCase(String id) {
    var out = new StringBuilder(id.length());
    for (String word : id.split("-", -1)) {
      if (out.length() > 0) {
        out.append(' ');
      }
      if (!word.isEmpty()) {
        out.appendCodePoint(Character.toUpperCase(word.codePointAt(0)))
            .append(word, Character.charCount(word.codePointAt(0)), word.length());
      }
    }
    return out.toString();
  }

  private static boolean endsWithIgnoreCase(String name, String suffix) {
    return name.regionMatches(true, name.length() - suffix.length(), suffix, 0, suffix.length());
  }

  /** One pack's paths sorted into upstream's layout. */
  private static final class Tree {
    /** {@code <dir>} to the {@code .glb} file names directly in {@code workers/<dir>/characters/}, sorted. */
    final Map<String, TreeSet<String>> characters = new TreeMap<>();
    /** {@code <dir>/<rig>} to the {@code .glb} names directly in {@code Animations/gltf/<rig>/}. */
    final Map<String, TreeSet<String>> animations = new TreeMap<>();
    final TreeSet<String> artwork = new TreeSet<>();
    final Map<String, TreeSet<String>> environmentModels = new TreeMap<>();
    /** Scene id to its path. */
    final Map<String, String> scenes = new TreeMap<>();

    static Tree of(List<String> paths) {
      var tree = new Tree();
      for (String path : paths) {
        String[] s = path.split("/", -1);
        if (s.length == 4 && (s[0] + "/").equals(WORKERS) && s[2].equals("characters")
            && endsWithIgnoreCase(s[3], ".glb")) {
          tree.characters.computeIfAbsent(s[1], k -> new TreeSet<>()).add(s[3]);
        } else if (s.length == 6 && (s[0] + "/").equals(WORKERS) && s[2].equals("Animations")
            && s[3].equals("gltf") && (s[4].equals("Rig_Medium") || s[4].equals("Rig_Large"))
            && endsWithIgnoreCase(s[5], ".glb")) {
          tree.animations.computeIfAbsent(s[1] + "/" + s[4], k -> new TreeSet<>()).add(s[5]);
        } else if (s.length == 3 && (s[0] + "/").equals(WORKERS) && s[2].equals("artwork.png")) {
          tree.artwork.add(s[1]);
        } else if (s.length == 4 && (s[0] + "/").equals(ENVIRONMENTS) && s[2].equals("models")
            && endsWithIgnoreCase(s[3], ".gltf")) {
          tree.environmentModels.computeIfAbsent(s[1], k -> new TreeSet<>()).add(s[3]);
        } else if (s.length == 2 && (s[0] + "/").equals(SCENES) && s[1].endsWith(".json")
            && s[1].length() > ".json".length()) {
          tree.scenes.put(s[1].substring(0, s[1].length() - ".json".length()), path);
        }
      }
      return tree;
    }

    Map<String, ModelPack> modelPacks(String source) {
      var out = new TreeMap<String, ModelPack>();
      for (var entry : characters.entrySet()) {
        String dir = entry.getKey();
        String base = WORKERS + dir + "/";
        String character = AssetPaths.url(base + "characters/" + entry.getValue().first());
        String rig = animations.containsKey(dir + "/Rig_Medium") ? "Rig_Medium" : "Rig_Large";
        TreeSet<String> clips = animations.getOrDefault(dir + "/" + rig, new TreeSet<>());
        String animationBase = base + "Animations/gltf/" + rig + "/";
        String idle = clip(clips, "General", animationBase);
        String action = clip(clips, "Movement", animationBase);
        String working = clip(clips, "Working", animationBase);
        String thumbnail = artwork.contains(dir) ? AssetPaths.url(base + "artwork.png") : character;
        out.put(dir, new ModelPack(dir, titleCase(dir), character, thumbnail,
            new ModelPack.Animations(idle == null ? character : idle, action == null ? character : action, working),
            source));
      }
      return out;
    }

    private static String clip(TreeSet<String> clips, String word, String base) {
      for (String name : clips) {
        if (name.contains(word)) {
          return AssetPaths.url(base + name);
        }
      }
      return null;
    }

    Map<String, EnvironmentPack> environmentPacks(String source) {
      var out = new TreeMap<String, EnvironmentPack>();
      for (var entry : environmentModels.entrySet()) {
        String dir = entry.getKey();
        var assets = new ArrayList<EnvironmentPack.Asset>();
        for (String file : entry.getValue()) {
          String id = file.substring(0, file.length() - ".gltf".length());
          assets.add(new EnvironmentPack.Asset(id, id.replace('_', ' '),
              AssetPaths.url(ENVIRONMENTS + dir + "/models/" + file)));
        }
        out.put(dir, new EnvironmentPack(dir, titleCase(dir), List.copyOf(assets), source));
      }
      return out;
    }
  }
}
