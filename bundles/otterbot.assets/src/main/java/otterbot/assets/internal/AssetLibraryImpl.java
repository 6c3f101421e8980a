package otterbot.assets.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.agent.Artwork;
import otterbot.api.asset.AssetFile;
import otterbot.api.asset.AssetLibrary;
import otterbot.api.asset.AssetPack;
import otterbot.api.asset.EnvironmentPack;
import otterbot.api.asset.ModelPack;
import otterbot.api.asset.Scene;
import otterbot.assets.internal.AssetMerge.Merged;
import otterbot.assets.internal.AssetMerge.SceneFile;
import otterbot.assets.internal.AssetMerge.Source;

/**
 * The {@link AssetLibrary}: every registered {@link AssetPack} merged by upstream's rules ({@link AssetMerge}),
 * highest {@code service.ranking} first. Every answer is what is installed right now: the packs are asked for their
 * listings on each request, and only the merge of listings that did not change and the parsed scenes are kept.
 */
@Component(service = AssetLibrary.class)
public final class AssetLibraryImpl implements AssetLibrary {
  private static final Logger LOG = LoggerFactory.getLogger(AssetLibraryImpl.class);
  /** Packs taken into account; more are ignored (and logged): each costs a listing per request. */
  static final int MAX_PACKS = 256;
  /** A scene file larger than this is left out: scenes are small JSON, the listing returns them all. */
  static final long MAX_SCENE_BYTES = 1024 * 1024;
  /** Parsed scenes remembered (by pack, path, size and time); also bounds the "logged once" memory of bad ones. */
  static final int SCENE_CACHE = 512;
  /** Paths of packs, names of packs over their bounds, remembered so each is logged once; bounded too. */
  static final int LOGGED_ONCE = 1024;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();

  /** Highest ranking first ({@link ServiceReference#compareTo} orders the other way). Guarded by itself. */
  private final TreeMap<ServiceReference<AssetPack>, AssetPack> packs = new TreeMap<>(Collections.reverseOrder());
  /** Scene text by "pack\0path\0size\0lastModified"; null value: the file is not a JSON object (logged). */
  private final Map<String, Optional<String>> scenes = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<String>> eldest) {
          return size() > SCENE_CACHE;
        }
      });
  private final Set<String> loggedOnce = ConcurrentHashMap.newKeySet();
  /** The last merge (see {@link #current()}). */
  private volatile View view;
  private volatile AgentRegistry agents;

  public AssetLibraryImpl() {
    // for DS; the packs and the agent registry arrive through the bind methods
  }

  @Reference(
      service = AssetPack.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addPack(ServiceReference<AssetPack> reference, AssetPack pack) {
    synchronized (packs) {
      packs.put(reference, pack);
    }
  }

  void removePack(ServiceReference<AssetPack> reference, AssetPack pack) {
    List<ModelPack> before = modelPacks();
    synchronized (packs) {
      packs.remove(reference);
    }
    reportMissing(before);
  }

  /** The agent registry only serves the log line about agents that lost their model pack. */
  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void setAgents(AgentRegistry registry) {
    this.agents = registry;
  }

  void unsetAgents(AgentRegistry gone) {
    if (agents == gone) {
      agents = null;
    }
  }

  @Override
  public List<ModelPack> modelPacks() {
    return merged().modelPacks();
  }

  @Override
  public List<EnvironmentPack> environmentPacks() {
    return merged().environmentPacks();
  }

  @Override
  public List<Scene> scenes() {
    var out = new ArrayList<Scene>();
    for (SceneFile file : merged().scenes()) {
      read(file).ifPresent(json -> out.add(new Scene(file.id(), json, file.source().name())));
    }
    return out;
  }

  @Override
  public boolean hasModelPack(String id) {
    return id != null && merged().modelOwners().containsKey(id);
  }

  @Override
  public String effectiveModelPack(String requested) {
    Map<String, Source> installed = merged().modelOwners();
    if (requested != null && installed.containsKey(requested)) {
      return requested;
    }
    if (installed.containsKey(Artwork.DEFAULT_MODEL_PACK)) {
      return Artwork.DEFAULT_MODEL_PACK;
    }
    return installed.isEmpty() ? requested : new TreeSet<>(installed.keySet()).first();
  }

  @Override
  public Optional<AssetFile> file(String path) {
    if (!AssetPaths.isSafe(path) || AssetPaths.isHidden(path)) {
      return Optional.empty();
    }
    View current = current();
    List<Source> sources = current.sources();
    Optional<Source> owner = AssetMerge.owner(current.merged(), path);
    if (owner.isPresent()) {
      return served(owner.get(), path);
    }
    for (Source source : sources) {
      Optional<AssetFile> file = served(source, path);
      if (file.isPresent()) {
        return file;
      }
    }
    return Optional.empty();
  }

  private static Optional<AssetFile> served(Source source, String path) {
    try {
      return source.pack().file(path).map(f -> new ServedFile(f, source.name(), HomeAssetPack.NAME.equals(
          source.name())));
    } catch (RuntimeException e) {
      // a bundle stopping under our feet, a pack's bug: this file is not there
      LOG.debug("Pack {} cannot give {}: {}", source.name(), path, e.toString());
      return Optional.empty();
    }
  }

  private Merged merged() {
    return current().merged();
  }

  /** Each pack with its paths, highest ranking first; a pack that fails to list is left out of this answer. */
  List<Source> sources() {
    return current().sources();
  }

  /**
   * The packs as they are now, merged. The merge walks every path of every pack, and agent answers ask for it on every
   * request (the fallback model pack), so the last one is kept while the same packs return the very same listings: a
   * bundle's pack lists once, the home directory's returns one list until its next scan, and a pack whose files
   * change returns a new list ({@link AssetPack#paths()}).
   */
  private View current() {
    List<Map.Entry<ServiceReference<AssetPack>, AssetPack>> snapshot;
    synchronized (packs) {
      snapshot = new ArrayList<>(packs.entrySet());
    }
    if (snapshot.size() > MAX_PACKS) {
      once("packs", () -> LOG.warn("More than {} asset packs are registered; the lowest ranked are ignored",
          MAX_PACKS));
      snapshot = snapshot.subList(0, MAX_PACKS);
    }
    var key = new ArrayList<Object>(snapshot.size() * 3);
    for (var entry : snapshot) {
      String name = name(entry.getKey(), entry.getValue());
      List<String> listed;
      try {
        listed = entry.getValue().paths();
      } catch (RuntimeException e) {
        LOG.debug("Asset pack {} cannot list its files: {}", name, e.toString());
        continue;
      }
      key.add(name);
      key.add(entry.getValue());
      key.add(listed);
    }
    View last = view;
    if (last != null && last.isFor(key)) {
      return last;
    }
    var sources = new ArrayList<Source>(key.size() / 3);
    for (int i = 0; i < key.size(); i += 3) {
      String name = (String) key.get(i);
      @SuppressWarnings("unchecked")
      List<String> listed = (List<String>) key.get(i + 2);
      sources.add(new Source(name, (AssetPack) key.get(i + 1), paths(name, listed)));
    }
    View next = new View(key, List.copyOf(sources), AssetMerge.merge(sources));
    view = next;
    return next;
  }

  /** The merge of the packs named by {@code key}: name, pack and listing of each, compared by identity. */
  private record View(List<Object> key, List<Source> sources, Merged merged) {
    boolean isFor(List<Object> other) {
      if (other.size() != key.size()) {
        return false;
      }
      for (int i = 0; i < key.size(); i++) {
        Object mine = key.get(i);
        if (i % 3 == 0 ? !mine.equals(other.get(i)) : mine != other.get(i)) {
          return false;
        }
      }
      return true;
    }
  }

  private static String name(ServiceReference<AssetPack> reference, AssetPack pack) {
    Object property = reference.getProperty(AssetPack.NAME);
    if (property instanceof String s && !s.isBlank()) {
      return s;
    }
    try {
      return pack.name();
    } catch (RuntimeException e) {
      return "service " + reference.getProperty(org.osgi.framework.Constants.SERVICE_ID);
    }
  }

  /** At most {@link AssetPaths#MAX_PATHS_PER_PACK}, only safe and visible ones. */
  private List<String> paths(String pack, List<String> listed) {
    if (listed == null) {
      return List.of();
    }
    var out = new ArrayList<String>(Math.min(listed.size(), AssetPaths.MAX_PATHS_PER_PACK));
    for (String path : listed) {
      if (out.size() >= AssetPaths.MAX_PATHS_PER_PACK) {
        once("paths\0" + pack, () -> LOG.warn("Asset pack {} lists more than {} files; the rest are ignored", pack,
            AssetPaths.MAX_PATHS_PER_PACK));
        break;
      }
      if (AssetPaths.isSafe(path) && !AssetPaths.isHidden(path)) {
        out.add(path);
      }
    }
    return out;
  }

  /** The scene's text when it is a JSON object of at most {@link #MAX_SCENE_BYTES}; else logged once, empty. */
  private Optional<String> read(SceneFile scene) {
    Optional<AssetFile> found = served(scene.source(), scene.path());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    AssetFile file = found.get();
    String key = scene.source().name() + '\0' + scene.path() + '\0' + file.size() + '\0' + file.lastModified();
    Optional<String> cached = scenes.get(key);
    if (cached != null) {
      return cached;
    }
    Optional<String> parsed;
    try {
      parsed = Optional.of(parse(file));
    } catch (IOException | RuntimeException e) {
      LOG.warn("Scene {} of asset pack {} is left out: {}", scene.path(), scene.source().name(), e.getMessage());
      parsed = Optional.empty();
    }
    scenes.put(key, parsed);
    return parsed;
  }

  static String parse(AssetFile file) throws IOException {
    if (file.size() > MAX_SCENE_BYTES) {
      throw new IOException("larger than " + MAX_SCENE_BYTES + " bytes");
    }
    byte[] bytes;
    try (InputStream in = file.open()) {
      bytes = in.readNBytes((int) MAX_SCENE_BYTES + 1);
    }
    if (bytes.length > MAX_SCENE_BYTES) {
      throw new IOException("larger than " + MAX_SCENE_BYTES + " bytes");
    }
    JsonNode node;
    try (JsonParser parser = JSON.createParser(bytes)) {
      node = JSON.readTree(parser);
      if (parser.nextToken() != null) {
        throw new IOException("not one JSON value: more follows it");
      }
    }
    if (node == null || !node.isObject()) {
      throw new IOException("not a JSON object");
    }
    return new String(bytes, StandardCharsets.UTF_8).strip();
  }

  /**
   * After a pack went: the agents whose model pack is no longer installed are shown with another one (the REST layer
   * asks {@link #effectiveModelPack}); say so once, naming them, so nobody wonders where the orc went.
   */
  private void reportMissing(List<ModelPack> before) {
    AgentRegistry registry = agents;
    if (registry == null) {
      return;
    }
    Set<String> now = merged().modelOwners().keySet();
    var gone = new TreeSet<String>();
    before.forEach(p -> {
      if (!now.contains(p.id())) {
        gone.add(p.id());
      }
    });
    if (gone.isEmpty()) {
      return;
    }
    try {
      var byPack = new TreeMap<String, List<String>>();
      for (AgentSummary agent : registry.list()) {
        String pack = agent.artwork() == null ? null : agent.artwork().modelPack();
        if (pack != null && gone.contains(pack)) {
          byPack.computeIfAbsent(pack, k -> new ArrayList<>()).add(agent.id());
        }
      }
      byPack.forEach((pack, ids) -> LOG.info("Model pack {} is no longer installed: agents {} are now shown with {}"
          + " until it returns", pack, String.join(", ", ids), effectiveModelPack(pack)));
    } catch (RuntimeException e) {
      LOG.debug("Cannot tell which agents used the removed model packs {}: {}", gone, e.toString());
    }
  }

  private void once(String key, Runnable log) {
    if (loggedOnce.size() < LOGGED_ONCE && loggedOnce.add(key)) {
      log.run();
    }
  }
}
