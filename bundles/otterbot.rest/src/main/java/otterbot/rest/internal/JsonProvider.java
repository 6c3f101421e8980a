package otterbot.rest.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsMediaType;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.MessageBodyWriter;
import otterbot.api.settings.ProviderSettings;

/**
 * The one JSON extension of the REST API. Strict on input: unknown fields, wrong types (no silent coercion of
 * {@code 1} to {@code "1"} or {@code "true"} to {@code true}), duplicate keys and trailing garbage are all rejected,
 * and the {@link ErrorMapper} turns that into a 400 naming the field.
 */
@Component(service = {MessageBodyReader.class, MessageBodyWriter.class})
@JakartarsExtension
@JakartarsName("otterbot.json")
@JakartarsMediaType(MediaType.APPLICATION_JSON)
public final class JsonProvider extends JacksonJsonProvider {
  static final ObjectMapper MAPPER = createMapper();

  public JsonProvider() {
    super(MAPPER);
  }

  static ObjectMapper createMapper() {
    JsonMapper mapper = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        // Error messages must not quote the request body: it may hold an API key.
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        // A provider entry leaves out apiKey (always) and authMethod (all but OpenAI), as upstream does.
        .addMixIn(ProviderSettings.class, OmitNulls.class)
        .build();
    for (LogicalType type : new LogicalType[] {LogicalType.Textual, LogicalType.Boolean, LogicalType.Integer,
        LogicalType.Float}) {
      mapper.coercionConfigFor(type)
          .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float
              ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, type == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.String, type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
    }
    return mapper;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  private abstract static class OmitNulls {}
}
