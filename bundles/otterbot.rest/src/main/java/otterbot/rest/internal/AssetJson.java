package otterbot.rest.internal;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.ws.rs.core.StreamingOutput;
import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentSummary;
import otterbot.api.agent.Artwork;
import otterbot.api.asset.AssetLibrary;
import otterbot.api.asset.EnvironmentPack;
import otterbot.api.asset.ModelPack;
import otterbot.api.asset.Scene;

/**
 * The asset listings in upstream's shapes (upstream-behaviour §13), each followed by the extra field {@code source}
 * (the asset pack it comes from), and agents' artwork as clients see it while their model pack is missing.
 */
final class AssetJson {
  static final String UNAVAILABLE = "the asset library is not available yet";

  private AssetJson() {}

  static AssetLibrary require(AssetLibrary library) {
    if (library == null) {
      throw OtterbotException.unavailable(UNAVAILABLE, null);
    }
    return library;
  }

  /** {@code working} is left out when the pack has none, as upstream does. */
  static List<Map<String, Object>> modelPacks(List<ModelPack> packs) {
    var out = new ArrayList<Map<String, Object>>(packs.size());
    for (ModelPack p : packs) {
      var animations = new LinkedHashMap<String, Object>();
      animations.put("idle", p.animations().idle());
      animations.put("action", p.animations().action());
      if (p.animations().working() != null) {
        animations.put("working", p.animations().working());
      }
      var pack = new LinkedHashMap<String, Object>();
      pack.put("id", p.id());
      pack.put("name", p.name());
      pack.put("characterUrl", p.characterUrl());
      pack.put("thumbnailUrl", p.thumbnailUrl());
      pack.put("animations", animations);
      pack.put("source", p.source());
      out.add(pack);
    }
    return out;
  }

  static List<Map<String, Object>> environmentPacks(List<EnvironmentPack> packs) {
    var out = new ArrayList<Map<String, Object>>(packs.size());
    for (EnvironmentPack p : packs) {
      var assets = new ArrayList<Map<String, Object>>();
      for (EnvironmentPack.Asset a : p.assets()) {
        var asset = new LinkedHashMap<String, Object>();
        asset.put("id", a.id());
        asset.put("name", a.name());
        asset.put("modelUrl", a.modelUrl());
        assets.add(asset);
      }
      var pack = new LinkedHashMap<String, Object>();
      pack.put("id", p.id());
      pack.put("name", p.name());
      pack.put("assets", assets);
      pack.put("source", p.source());
      out.add(pack);
    }
    return out;
  }

  /** The scenes' JSON exactly as their files hold it, in an array: not parsed and written again. */
  static StreamingOutput scenes(List<Scene> scenes) {
    return (OutputStream out) -> {
      out.write('[');
      for (int i = 0; i < scenes.size(); i++) {
        if (i > 0) {
          out.write(',');
        }
        out.write(scenes.get(i).json().getBytes(StandardCharsets.UTF_8));
      }
      out.write(']');
    };
  }

  /**
   * An agent profile or summary as JSON, with {@code artwork.modelPack} the pack it is shown with when its own is not
   * installed, and then {@code artwork.requestedModelPack} the stored one (which is never changed, so the agent shows
   * its own pack again when it returns). Without the library the stored value is shown as it is. When the agent shows
   * its own pack (the usual case) it is returned as it is, for the JSON provider to write: a JSON tree per agent was
   * most of the cost of listing thousands of them.
   */
  static Object withArtwork(Object agent, AssetLibrary library) {
    Function<String, String> effective = library == null ? null : library::effectiveModelPack;
    return withArtwork(agent, effective);
  }

  /**
   * As {@link #withArtwork(Object, AssetLibrary)} for a whole listing: the library merges every installed pack each
   * time it is asked (so that it answers what is installed right now), which for thousands of agents was seconds per
   * listing; this asks once per distinct stored pack, and a listing is still answered from one look at the packs.
   */
  static Function<Object, Object> withArtwork(AssetLibrary library) {
    if (library == null) {
      return agent -> agent;
    }
    var effective = new HashMap<Optional<String>, String>();
    Function<String, String> once = requested -> effective.computeIfAbsent(Optional.ofNullable(requested),
        r -> library.effectiveModelPack(r.orElse(null)));
    return agent -> withArtwork(agent, once);
  }

  private static Object withArtwork(Object agent, Function<String, String> effectiveModelPack) {
    Artwork stored;
    if (agent instanceof AgentProfile profile) {
      stored = profile.artwork();
    } else if (agent instanceof AgentSummary summary) {
      stored = summary.artwork();
    } else {
      throw new IllegalArgumentException("not an agent: " + agent);
    }
    if (effectiveModelPack == null || stored == null) {
      return agent;
    }
    String requested = stored.modelPack();
    String effective;
    try {
      effective = effectiveModelPack.apply(requested);
    } catch (RuntimeException e) {
      return agent; // the library went away under us: the stored value is still the truth
    }
    if (effective == null || effective.equals(requested)) {
      return agent;
    }
    JsonNode node = JsonProvider.MAPPER.valueToTree(agent);
    if (node.path("artwork") instanceof ObjectNode artwork) {
      artwork.put("modelPack", effective);
      artwork.put("requestedModelPack", requested);
    }
    return node;
  }
}
