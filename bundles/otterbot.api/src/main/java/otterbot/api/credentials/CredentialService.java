package otterbot.api.credentials;

import java.util.Map;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.OtterbotException;

/**
 * Agents' secrets. Values are sealed with AES-256-GCM before they reach storage and are never returned to a client,
 * logged or put into a message.
 */
@ProviderType
public interface CredentialService {
  /**
   * Replaces the agent's whole secret set in one transaction. Keys are trimmed; blank keys are skipped.
   *
   * @throws OtterbotException {@code NOT_FOUND} for an unknown agent, {@code INVALID} for a key or value that breaks
   *     a rule (the message names the key, never the value)
   */
  void replace(String agentId, Map<String, String> secrets);

  /** The names of the agent's own secrets (not their values). */
  Set<String> keys(String agentId);

  /** The global provider secrets overlaid by the agent's own (the agent's values win). Never expose the result. */
  Map<String, String> effectiveSecrets(String agentId);

  /** Deletes the agent's secrets (when the agent is deleted). */
  void deleteAll(String agentId);
}
