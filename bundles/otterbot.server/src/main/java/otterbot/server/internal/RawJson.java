package otterbot.server.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;

/**
 * A JSON value encoded once, ahead of time, for an event argument: the port's JSON support copies its bytes into
 * every packet that carries it instead of serialising a map with Jackson on the event loop, once per packet and, for a
 * broadcast, once per socket. {@link Builder} writes only what it can write exactly as netty-socketio's Jackson would
 * (strings that need no escaping, no nulls); for anything else it gives up and the caller sends the plain map.
 *
 * <p>Should a packet carrying one ever be written by a plain Jackson, it is written as its raw JSON all the same.
 */
public final class RawJson implements JsonSerializable {
  private final byte[] utf8;

  private RawJson(byte[] utf8) {
    this.utf8 = utf8;
  }

  /** The JSON text, UTF-8. Not a copy: do not change it. */
  byte[] utf8() {
    return utf8;
  }

  @Override
  public String toString() {
    return new String(utf8, StandardCharsets.UTF_8);
  }

  @Override
  public void serialize(JsonGenerator json, SerializerProvider provider) throws IOException {
    json.writeRawValue(toString());
  }

  @Override
  public void serializeWithType(JsonGenerator json, SerializerProvider provider, TypeSerializer typeSer)
      throws IOException {
    serialize(json, provider);
  }

  /**
   * True for a string Jackson writes as its UTF-8 bytes between quotes: no character it escapes (quote, backslash,
   * control characters) and no surrogate (Jackson writes each half of a pair as a {@code \}{@code u} escape).
   */
  static boolean plain(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** A new JSON object, written field by field in order; {@link #build()} is null once any value was not plain. */
  public static Builder object() {
    return new Builder();
  }

  /** Writes nested objects of string fields. Names must be plain; values that are not make the result null. */
  public static final class Builder {
    private final StringBuilder text = new StringBuilder(96).append('{');
    private boolean failed;
    private boolean first = true;

    private Builder() {}

    private void name(String name) {
      if (!first) {
        text.append(',');
      }
      first = false;
      text.append('"').append(name).append("\":");
    }

    /** A string field; a null or non-plain value fails the whole object. */
    public Builder field(String name, String value) {
      if (value == null || !plain(value)) {
        failed = true;
      } else if (!failed) {
        name(name);
        text.append('"').append(value).append('"');
      }
      return this;
    }

    /** A string field left out when its value is null. */
    public Builder fieldIfPresent(String name, String value) {
      return value == null ? this : field(name, value);
    }

    /** A boolean field. */
    public Builder field(String name, boolean value) {
      if (!failed) {
        name(name);
        text.append(value);
      }
      return this;
    }

    /** Opens a nested object as the value of a field; close it with {@link #end()}. */
    public Builder startObject(String name) {
      if (!failed) {
        name(name);
        text.append('{');
        first = true;
      }
      return this;
    }

    /** Closes the object opened last. */
    public Builder end() {
      if (!failed) {
        text.append('}');
        first = false;
      }
      return this;
    }

    /** The encoded object (closing the outermost one), or null if any value could not be written exactly. */
    public RawJson build() {
      return failed ? null : new RawJson(text.append('}').toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}
