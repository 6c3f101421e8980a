package otterbot.core.internal;

import java.util.regex.Pattern;

import otterbot.api.OtterbotException;
import otterbot.api.agent.ModelRef;

/** The one validation of a {@link ModelRef}, for agent profiles and global settings alike. */
public final class ModelRefs {
  private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final int MAX_MODEL_ID = 200;

  private ModelRefs() {}

  /**
   * @param field the field's name in messages, e.g. {@code model.chat}
   * @param wildcardAllowed whether {@code "*"} may stand for every model (only in allowed models)
   * @return the reference with its model id stripped
   * @throws OtterbotException {@code INVALID}, naming the field
   */
  public static ModelRef valid(ModelRef ref, String field, boolean wildcardAllowed) {
    if (ref == null) {
      throw OtterbotException.invalid(field + " is required");
    }
    if (ref.provider() == null || !PROVIDER.matcher(ref.provider()).matches()) {
      throw OtterbotException.invalid(field + ".provider must be a provider id such as 'openai'");
    }
    if (ref.modelId() == null || ref.modelId().isBlank() || ref.modelId().length() > MAX_MODEL_ID
        || ref.modelId().chars().anyMatch(Character::isISOControl)) {
      throw OtterbotException.invalid(field + ".modelId must be 1 to " + MAX_MODEL_ID + " printable characters");
    }
    if (!wildcardAllowed && ModelRef.ANY_MODEL.equals(ref.modelId())) {
      throw OtterbotException.invalid(field + ".modelId '*' is only allowed in allowedModels");
    }
    return new ModelRef(ref.provider(), ref.modelId().strip());
  }
}
