package otterbot.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Adler32;
import java.util.zip.CRC32;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The generator of the asset packs' files: small but real glTF 2.0 (low-poly characters made of boxes with a node
 * hierarchy, keyframed animations, environment models with embedded buffers), a PNG thumbnail and a scene. Written
 * here, not downloaded, and deterministic: the same call gives the same bytes on every machine (no compression whose
 * output depends on the zlib at hand, no dates, no maps without order), so the packs' tests can prove that the files
 * committed in {@code src/main/resources} are this generator's output.
 */
public final class GltfAssets {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GENERATOR = "OtterBot asset generator";

  /** A character's colours (linear RGB, 0..1) and size. */
  public record Palette(float[] shirt, float[] skin, float[] legs, float[] background, float scale) {}

  public static final Palette PETE = new Palette(rgb(0.20f, 0.45f, 0.85f), rgb(0.96f, 0.78f, 0.62f),
      rgb(0.25f, 0.25f, 0.30f), rgb(0.85f, 0.90f, 0.95f), 1.0f);
  public static final Palette ORC = new Palette(rgb(0.45f, 0.30f, 0.20f), rgb(0.35f, 0.60f, 0.25f),
      rgb(0.30f, 0.20f, 0.15f), rgb(0.90f, 0.85f, 0.75f), 1.15f);

  private GltfAssets() {}

  /** The default pack's asset tree: {@code prototype-pete}, the {@code prototype-bits} environment, one scene. */
  public static Map<String, byte[]> defaultPack() {
    var files = new TreeMap<String, byte[]>();
    files.putAll(modelPack("prototype-pete", "Prototype_Pete", PETE));
    files.putAll(environmentPack("prototype-bits"));
    files.put("scenes/default-office.json", defaultOffice().getBytes(StandardCharsets.UTF_8));
    return files;
  }

  /** The example pack's asset tree: the {@code orc-brute} model pack. */
  public static Map<String, byte[]> examplePack() {
    return new TreeMap<>(modelPack("orc-brute", "Orc_Brute", ORC));
  }

  /**
   * A model pack in upstream's layout: the character GLB, three animation GLBs (General, Movement, Working) under
   * {@code Animations/gltf/Rig_Medium} and an {@code artwork.png}.
   */
  public static Map<String, byte[]> modelPack(String id, String fileName, Palette palette) {
    var files = new TreeMap<String, byte[]>();
    String base = "workers/" + id + "/";
    files.put(base + "characters/" + fileName + ".glb", character(palette, null));
    String rig = base + "Animations/gltf/Rig_Medium/Rig_Medium_";
    files.put(rig + "General.glb", character(palette, "General"));
    files.put(rig + "Movement.glb", character(palette, "Movement"));
    files.put(rig + "Working.glb", character(palette, "Working"));
    files.put(base + "artwork.png", artwork(palette));
    return files;
  }

  /** Three models as {@code .gltf} with embedded buffers: a floor tile, a desk and a crate. */
  public static Map<String, byte[]> environmentPack(String id) {
    var files = new TreeMap<String, byte[]>();
    String base = "environments/" + id + "/models/";
    files.put(base + "floor_tile.gltf", floorTile().gltf());
    files.put(base + "desk.gltf", desk().gltf());
    files.put(base + "crate.gltf", crate().gltf());
    return files;
  }

  /**
   * A character of boxes: a root, a torso with head and arms as children, and two legs. Each joint is a node of its
   * own with the box as a scaled child, so animations rotate a limb about its shoulder or hip.
   *
   * @param clip null for the bare character, else {@code General}, {@code Movement} or {@code Working}
   */
  public static byte[] character(Palette p, String clip) {
    var g = new Builder();
    int shirt = g.material("Shirt", p.shirt());
    int skin = g.material("Skin", p.skin());
    int legs = g.material("Legs", p.legs());
    int body = g.mesh("Body", shirt);
    int head = g.mesh("Head", skin);
    int arm = g.mesh("Arm", skin);
    int leg = g.mesh("Leg", legs);

    int headBox = g.node("HeadMesh", head, v(0, 0.18f, 0), null, v(0.35f, 0.35f, 0.35f));
    int headJoint = g.node("Head", -1, v(0, 0.3f, 0), null, null, headBox);
    int armL = g.node("ArmL", -1, v(0.33f, 0.25f, 0), null, null,
        g.node("ArmLMesh", arm, v(0, -0.25f, 0), null, v(0.14f, 0.5f, 0.14f)));
    int armR = g.node("ArmR", -1, v(-0.33f, 0.25f, 0), null, null,
        g.node("ArmRMesh", arm, v(0, -0.25f, 0), null, v(0.14f, 0.5f, 0.14f)));
    int torsoBox = g.node("TorsoMesh", body, null, null, v(0.5f, 0.6f, 0.3f));
    int torso = g.node("Torso", -1, v(0, 1.0f, 0), null, null, torsoBox, headJoint, armL, armR);
    int legL = g.node("LegL", -1, v(0.13f, 0.7f, 0), null, null,
        g.node("LegLMesh", leg, v(0, -0.35f, 0), null, v(0.18f, 0.7f, 0.2f)));
    int legR = g.node("LegR", -1, v(-0.13f, 0.7f, 0), null, null,
        g.node("LegRMesh", leg, v(0, -0.35f, 0), null, v(0.18f, 0.7f, 0.2f)));
    float s = p.scale();
    int root = g.node("Character", -1, null, null, s == 1f ? null : v(s, s, s), torso, legL, legR);
    g.root(root);

    float[] times = {0f, 0.5f, 1.0f, 1.5f, 2.0f};
    if ("General".equals(clip)) {
      g.animation("General", List.of(
          g.channel(torso, "translation", times, new float[][] {v(0, 1.0f, 0), v(0, 1.03f, 0), v(0, 1.0f, 0),
              v(0, 1.03f, 0), v(0, 1.0f, 0)}),
          g.channel(headJoint, "rotation", times, new float[][] {yaw(0), yaw(10), yaw(0), yaw(-10), yaw(0)})));
    } else if ("Movement".equals(clip)) {
      g.animation("Movement", List.of(
          g.channel(legL, "rotation", times, new float[][] {pitch(0), pitch(30), pitch(0), pitch(-30), pitch(0)}),
          g.channel(legR, "rotation", times, new float[][] {pitch(0), pitch(-30), pitch(0), pitch(30), pitch(0)}),
          g.channel(armL, "rotation", times, new float[][] {pitch(0), pitch(-25), pitch(0), pitch(25), pitch(0)}),
          g.channel(armR, "rotation", times, new float[][] {pitch(0), pitch(25), pitch(0), pitch(-25), pitch(0)}),
          g.channel(torso, "translation", times, new float[][] {v(0, 1.0f, 0), v(0, 1.04f, 0), v(0, 1.0f, 0),
              v(0, 1.04f, 0), v(0, 1.0f, 0)})));
    } else if ("Working".equals(clip)) {
      g.animation("Working", List.of(
          g.channel(armL, "rotation", times, new float[][] {pitch(-70), pitch(-55), pitch(-70), pitch(-55),
              pitch(-70)}),
          g.channel(armR, "rotation", times, new float[][] {pitch(-55), pitch(-70), pitch(-55), pitch(-70),
              pitch(-55)}),
          g.channel(headJoint, "rotation", times, new float[][] {pitch(10), pitch(15), pitch(10), pitch(15),
              pitch(10)})));
    } else if (clip != null) {
      throw new IllegalArgumentException("unknown clip " + clip);
    }
    return g.glb();
  }

  static Builder floorTile() {
    var g = new Builder();
    int grey = g.mesh("Tile", g.material("Concrete", rgb(0.55f, 0.56f, 0.58f)));
    g.root(g.node("FloorTile", grey, v(0, -0.05f, 0), null, v(2f, 0.1f, 2f)));
    return g;
  }

  static Builder desk() {
    var g = new Builder();
    int wood = g.material("Wood", rgb(0.60f, 0.42f, 0.25f));
    int metal = g.material("Metal", rgb(0.30f, 0.30f, 0.32f));
    int top = g.mesh("Top", wood);
    int leg = g.mesh("Leg", metal);
    var children = new ArrayList<Integer>();
    children.add(g.node("Top", top, v(0, 0.75f, 0), null, v(1.6f, 0.06f, 0.8f)));
    int n = 0;
    for (float x : new float[] {-0.74f, 0.74f}) {
      for (float z : new float[] {-0.34f, 0.34f}) {
        children.add(g.node("Leg" + (++n), leg, v(x, 0.36f, z), null, v(0.06f, 0.72f, 0.06f)));
      }
    }
    g.root(g.node("Desk", -1, null, null, null, children.stream().mapToInt(Integer::intValue).toArray()));
    return g;
  }

  static Builder crate() {
    var g = new Builder();
    int box = g.mesh("Box", g.material("Planks", rgb(0.55f, 0.35f, 0.18f)));
    int lid = g.mesh("Lid", g.material("DarkPlanks", rgb(0.40f, 0.25f, 0.12f)));
    g.root(g.node("Crate", -1, null, null, null,
        g.node("Body", box, v(0, 0.3f, 0), null, v(0.6f, 0.6f, 0.6f)),
        g.node("Lid", lid, v(0, 0.62f, 0), null, v(0.64f, 0.04f, 0.64f))));
    return g;
  }

  /** The default scene in upstream's SceneConfig shape; props name their asset as {@code <environment>/<asset id>}. */
  static String defaultOffice() {
    return """
        {
          "id": "default-office",
          "name": "Default Office",
          "props": [
            { "asset": "prototype-bits/floor_tile", "position": [0, 0, 0], "scale": [5, 1, 5], "receiveShadow": true },
            { "asset": "prototype-bits/desk", "position": [-2, 0, -1.5], "rotation": [0, 0, 0], "castShadow": true },
            { "asset": "prototype-bits/desk", "position": [2, 0, -1.5], "rotation": [0, 0, 0], "castShadow": true },
            { "asset": "prototype-bits/crate", "position": [4, 0, 3], "scale": 1.2, "castShadow": true }
          ],
          "floor": { "color": "#8a8f98", "size": [10, 10], "position": [0, 0, 0] },
          "lighting": { "ambientIntensity": 0.6, "directionalPosition": [5, 10, 5], "directionalIntensity": 1.0 },
          "camera": { "position": [0, 8, 10], "target": [0, 0, 0] },
          "agentPositions": {
            "ceo": { "position": [0, 0, -4], "rotation": [0, 0, 0] },
            "coo": [{ "position": [-2, 0, -2.5], "rotation": [0, 0, 0] }],
            "teamLead": [{ "position": [2, 0, -2.5], "rotation": [0, 0, 0] }],
            "worker": [
              { "position": [-3, 0, 1] },
              { "position": [0, 0, 1] },
              { "position": [3, 0, 1] }
            ]
          },
          "waypointGraph": {
            "waypoints": [
              { "id": "door", "position": [0, 0, 4.5], "label": "Door", "zoneId": "lobby", "tag": "entrance" },
              { "id": "centre", "position": [0, 0, 0] },
              { "id": "desk-west", "position": [-2, 0, -2.5], "zoneId": "desks" },
              { "id": "desk-east", "position": [2, 0, -2.5], "zoneId": "desks" }
            ],
            "edges": [
              { "from": "door", "to": "centre" },
              { "from": "centre", "to": "desk-west", "weight": 1 },
              { "from": "centre", "to": "desk-east", "weight": 1 }
            ]
          },
          "zones": [
            { "id": "desks", "name": "Desks", "position": [0, 0, -2], "size": [8, 3], "borderColor": "#4a90d9" },
            { "id": "lobby", "name": "Lobby", "position": [0, 0, 3.5], "size": [4, 2] }
          ]
        }
        """;
  }

  /** A 64x64 RGB PNG: the character's colours as a figure on a plain background. Stored, not deflated (see class). */
  public static byte[] artwork(Palette p) {
    int size = 64;
    var raw = new ByteArrayOutputStream();
    for (int y = 0; y < size; y++) {
      raw.write(0); // filter: none
      for (int x = 0; x < size; x++) {
        float[] c = p.background();
        if (x >= 24 && x < 40 && y >= 6 && y < 22) {
          c = p.skin();
        } else if (x >= 20 && x < 44 && y >= 22 && y < 42) {
          c = p.shirt();
        } else if ((x >= 14 && x < 20 || x >= 44 && x < 50) && y >= 22 && y < 40) {
          c = p.skin();
        } else if ((x >= 22 && x < 30 || x >= 34 && x < 42) && y >= 42 && y < 60) {
          c = p.legs();
        }
        for (float channel : c) {
          raw.write(Math.round(srgb(channel) * 255f));
        }
      }
    }
    byte[] pixels = raw.toByteArray();
    var zlib = new ByteArrayOutputStream();
    zlib.write(0x78);
    zlib.write(0x01);
    int offset = 0;
    while (offset < pixels.length) {
      int length = Math.min(65535, pixels.length - offset);
      zlib.write(offset + length == pixels.length ? 1 : 0); // BFINAL, BTYPE 00 (stored)
      zlib.write(length & 0xff);
      zlib.write(length >>> 8);
      zlib.write(~length & 0xff);
      zlib.write((~length >>> 8) & 0xff);
      zlib.write(pixels, offset, length);
      offset += length;
    }
    var adler = new Adler32();
    adler.update(pixels);
    writeInt(zlib, (int) adler.getValue());

    var png = new ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer header = ByteBuffer.allocate(13).putInt(size).putInt(size).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(png, "IHDR", header.array());
    chunk(png, "IDAT", zlib.toByteArray());
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    writeInt(out, data.length);
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(name);
    out.writeBytes(data);
    var crc = new CRC32();
    crc.update(name);
    crc.update(data);
    writeInt(out, (int) crc.getValue());
  }

  private static void writeInt(ByteArrayOutputStream out, int value) {
    out.write(value >>> 24);
    out.write(value >>> 16 & 0xff);
    out.write(value >>> 8 & 0xff);
    out.write(value & 0xff);
  }

  private static float srgb(float linear) {
    return (float) (linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(linear, 1 / 2.4) - 0.055);
  }

  private static float[] rgb(float r, float g, float b) {
    return new float[] {r, g, b};
  }

  private static float[] v(float x, float y, float z) {
    return new float[] {x, y, z};
  }

  /** A rotation about X (a limb swinging forward or back), as a unit quaternion. */
  private static float[] pitch(double degrees) {
    double half = Math.toRadians(degrees) / 2;
    return new float[] {(float) Math.sin(half), 0, 0, (float) Math.cos(half)};
  }

  /** A rotation about Y (turning), as a unit quaternion. */
  private static float[] yaw(double degrees) {
    double half = Math.toRadians(degrees) / 2;
    return new float[] {0, (float) Math.sin(half), 0, (float) Math.cos(half)};
  }

  /** One glTF document: one binary buffer, a unit box shared by every mesh, nodes, materials and animations. */
  static final class Builder {
    private final ByteArrayOutputStream bin = new ByteArrayOutputStream();
    private final List<Map<String, Object>> bufferViews = new ArrayList<>();
    private final List<Map<String, Object>> accessors = new ArrayList<>();
    private final List<Map<String, Object>> materials = new ArrayList<>();
    private final List<Map<String, Object>> meshes = new ArrayList<>();
    private final List<Map<String, Object>> nodes = new ArrayList<>();
    private final List<Map<String, Object>> animations = new ArrayList<>();
    private final int position;
    private final int normal;
    private final int indices;
    private int root = -1;

    Builder() {
      // A unit box centred on the origin: 4 vertices per face so each face has its own normal.
      float[][] normals = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
      var positions = new float[24 * 3];
      var normalData = new float[24 * 3];
      var index = new short[36];
      for (int f = 0; f < 6; f++) {
        float[] n = normals[f];
        // two axes spanning the face, chosen so that (u x w) points along n: counter-clockwise seen from outside
        float[] u = n[0] != 0 ? new float[] {0, n[0], 0} : n[1] != 0 ? new float[] {0, 0, n[1]} : new float[] {n[2], 0, 0};
        float[] w = cross(n, u);
        float[][] corners = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
        for (int c = 0; c < 4; c++) {
          int i = (f * 4 + c) * 3;
          for (int k = 0; k < 3; k++) {
            positions[i + k] = 0.5f * (n[k] + corners[c][0] * u[k] + corners[c][1] * w[k]);
            normalData[i + k] = n[k];
          }
        }
        int[] quad = {0, 1, 2, 0, 2, 3};
        for (int q = 0; q < 6; q++) {
          index[f * 6 + q] = (short) (f * 4 + quad[q]);
        }
      }
      position = floats(positions, "VEC3", 34962, true);
      normal = floats(normalData, "VEC3", 34962, false);
      indices = shorts(index);
    }

    private static float[] cross(float[] a, float[] b) {
      return new float[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private int view(byte[] data, Integer target) {
      while (bin.size() % 4 != 0) {
        bin.write(0);
      }
      var view = new LinkedHashMap<String, Object>();
      view.put("buffer", 0);
      view.put("byteOffset", bin.size());
      view.put("byteLength", data.length);
      if (target != null) {
        view.put("target", target);
      }
      bin.writeBytes(data);
      bufferViews.add(view);
      return bufferViews.size() - 1;
    }

    private int floats(float[] data, String type, Integer target, boolean bounds) {
      ByteBuffer buffer = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float f : data) {
        buffer.putFloat(f);
      }
      int width = switch (type) {
        case "SCALAR" -> 1;
        case "VEC3" -> 3;
        case "VEC4" -> 4;
        default -> throw new IllegalArgumentException(type);
      };
      var accessor = new LinkedHashMap<String, Object>();
      accessor.put("bufferView", view(buffer.array(), target));
      accessor.put("componentType", 5126);
      accessor.put("count", data.length / width);
      accessor.put("type", type);
      if (bounds) {
        var min = new ArrayList<Float>();
        var max = new ArrayList<Float>();
        for (int k = 0; k < width; k++) {
          float lo = Float.MAX_VALUE;
          float hi = -Float.MAX_VALUE;
          for (int i = k; i < data.length; i += width) {
            lo = Math.min(lo, data[i]);
            hi = Math.max(hi, data[i]);
          }
          min.add(lo);
          max.add(hi);
        }
        accessor.put("min", min);
        accessor.put("max", max);
      }
      accessors.add(accessor);
      return accessors.size() - 1;
    }

    private int shorts(short[] data) {
      ByteBuffer buffer = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (short s : data) {
        buffer.putShort(s);
      }
      var accessor = new LinkedHashMap<String, Object>();
      accessor.put("bufferView", view(buffer.array(), 34963));
      accessor.put("componentType", 5123);
      accessor.put("count", data.length);
      accessor.put("type", "SCALAR");
      accessors.add(accessor);
      return accessors.size() - 1;
    }

    int material(String name, float[] colour) {
      var pbr = new LinkedHashMap<String, Object>();
      pbr.put("baseColorFactor", List.of(colour[0], colour[1], colour[2], 1.0f));
      pbr.put("metallicFactor", 0.0f);
      pbr.put("roughnessFactor", 0.8f);
      var material = new LinkedHashMap<String, Object>();
      material.put("name", name);
      material.put("pbrMetallicRoughness", pbr);
      materials.add(material);
      return materials.size() - 1;
    }

    int mesh(String name, int material) {
      var attributes = new LinkedHashMap<String, Object>();
      attributes.put("POSITION", position);
      attributes.put("NORMAL", normal);
      var primitive = new LinkedHashMap<String, Object>();
      primitive.put("attributes", attributes);
      primitive.put("indices", indices);
      primitive.put("material", material);
      var mesh = new LinkedHashMap<String, Object>();
      mesh.put("name", name);
      mesh.put("primitives", List.of(primitive));
      meshes.add(mesh);
      return meshes.size() - 1;
    }

    /** @param mesh -1 for none; translation, rotation and scale null for the identity */
    int node(String name, int mesh, float[] translation, float[] rotation, float[] scale, int... children) {
      var node = new LinkedHashMap<String, Object>();
      node.put("name", name);
      if (mesh >= 0) {
        node.put("mesh", mesh);
      }
      if (translation != null) {
        node.put("translation", list(translation));
      }
      if (rotation != null) {
        node.put("rotation", list(rotation));
      }
      if (scale != null) {
        node.put("scale", list(scale));
      }
      if (children.length > 0) {
        var c = new ArrayList<Integer>();
        for (int child : children) {
          c.add(child);
        }
        node.put("children", c);
      }
      nodes.add(node);
      return nodes.size() - 1;
    }

    void root(int node) {
      this.root = node;
    }

    /** A linear sampler over {@code times} and a channel driving {@code path} of {@code node}. */
    Map<String, Object> channel(int node, String path, float[] times, float[][] values) {
      int input = floats(times, "SCALAR", null, true);
      var flat = new float[values.length * values[0].length];
      for (int i = 0; i < values.length; i++) {
        System.arraycopy(values[i], 0, flat, i * values[i].length, values[i].length);
      }
      int output = floats(flat, values[0].length == 4 ? "VEC4" : "VEC3", null, false);
      var sampler = new LinkedHashMap<String, Object>();
      sampler.put("input", input);
      sampler.put("interpolation", "LINEAR");
      sampler.put("output", output);
      var target = new LinkedHashMap<String, Object>();
      target.put("node", node);
      target.put("path", path);
      return Map.of("sampler", sampler, "target", target);
    }

    @SuppressWarnings("unchecked")
    void animation(String name, List<Map<String, Object>> channelsAndSamplers) {
      var samplers = new ArrayList<Object>();
      var channels = new ArrayList<Object>();
      for (Map<String, Object> cs : channelsAndSamplers) {
        var channel = new LinkedHashMap<String, Object>();
        channel.put("sampler", samplers.size());
        channel.put("target", cs.get("target"));
        samplers.add(cs.get("sampler"));
        channels.add(channel);
      }
      var animation = new LinkedHashMap<String, Object>();
      animation.put("name", name);
      animation.put("channels", channels);
      animation.put("samplers", samplers);
      animations.add(animation);
    }

    private static List<Float> list(float[] values) {
      var out = new ArrayList<Float>();
      for (float f : values) {
        out.add(f);
      }
      return out;
    }

    private Map<String, Object> document(String bufferUri) {
      if (root < 0) {
        throw new IllegalStateException("no root node");
      }
      while (bin.size() % 4 != 0) {
        bin.write(0);
      }
      var doc = new LinkedHashMap<String, Object>();
      doc.put("asset", Map.of("version", "2.0", "generator", GENERATOR));
      doc.put("scene", 0);
      doc.put("scenes", List.of(Map.of("nodes", List.of(root))));
      doc.put("nodes", nodes);
      doc.put("meshes", meshes);
      doc.put("materials", materials);
      if (!animations.isEmpty()) {
        doc.put("animations", animations);
      }
      doc.put("accessors", accessors);
      doc.put("bufferViews", bufferViews);
      var buffer = new LinkedHashMap<String, Object>();
      buffer.put("byteLength", bin.size());
      if (bufferUri != null) {
        buffer.put("uri", bufferUri);
      }
      doc.put("buffers", List.of(buffer));
      return doc;
    }

    /** Binary glTF: a 12-byte header, the JSON chunk (padded with spaces) and the BIN chunk (padded with zeros). */
    byte[] glb() {
      byte[] json = json(document(null));
      int jsonLength = (json.length + 3) & ~3;
      byte[] data = bin.toByteArray();
      int total = 12 + 8 + jsonLength + 8 + data.length;
      ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
      out.putInt(0x46546C67).putInt(2).putInt(total);
      out.putInt(jsonLength).putInt(0x4E4F534A).put(json);
      for (int i = json.length; i < jsonLength; i++) {
        out.put((byte) ' ');
      }
      out.putInt(data.length).putInt(0x004E4942).put(data);
      return out.array();
    }

    /** JSON glTF with the buffer embedded as a base64 data URI. */
    byte[] gltf() {
      String uri = "data:application/octet-stream;base64," + Base64.getEncoder().encodeToString(bin.toByteArray());
      return json(document(uri));
    }

    private static byte[] json(Object value) {
      try {
        return JSON.writeValueAsBytes(sorted(value));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Map.of (unordered) becomes a TreeMap; LinkedHashMaps keep the order they were built in. */
    @SuppressWarnings("unchecked")
    private static Object sorted(Object value) {
      if (value instanceof LinkedHashMap<?, ?> map) {
        var out = new LinkedHashMap<String, Object>();
        ((Map<String, Object>) map).forEach((k, v) -> out.put(k, sorted(v)));
        return out;
      }
      if (value instanceof Map<?, ?> map) {
        var out = new TreeMap<String, Object>();
        ((Map<String, Object>) map).forEach((k, v) -> out.put(k, sorted(v)));
        return out;
      }
      if (value instanceof List<?> list) {
        return list.stream().map(Builder::sorted).toList();
      }
      return value;
    }
  }
}
