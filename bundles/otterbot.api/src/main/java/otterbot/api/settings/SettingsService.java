package otterbot.api.settings;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.OtterbotException;

/** Onboarding state and global settings. Writes are committed before they return. */
@ProviderType
public interface SettingsService {
  /** Whether onboarding was marked complete. */
  boolean onboardingComplete();

  /** Marks onboarding complete. Idempotent. */
  void completeOnboarding();

  /** The normalised global settings with every API key removed. */
  GlobalSettings global();

  /**
   * Merges the given settings into the stored ones (see {@link ProviderSettings#apiKey()} for the key rules),
   * stores them and returns the redacted result.
   *
   * @throws OtterbotException {@code INVALID} when required parts are missing or a value is not allowed
   */
  GlobalSettings updateGlobal(GlobalSettings incoming);

  /**
   * The secrets derived from the global settings, the base of every agent's secrets: {@code <P>_API_KEY},
   * {@code <P>_BASE_URL} and {@code OPENAI_AUTH_METHOD}. Never expose the result to a client.
   */
  Map<String, String> providerSecrets();
}
