package otterbot.api.settings;

import java.util.Map;

import otterbot.api.agent.ModelRef;

/**
 * The instance-wide settings ({@code GET/PUT /api/settings/global}).
 *
 * @param theme {@code "obsidian"}, {@code "light"} or {@code "forest"}
 * @param providers by provider id; every known provider is present on output
 */
public record GlobalSettings(
    String theme, ModelRef defaultChatModel, ModelRef defaultEmbeddingModel, Map<String, ProviderSettings> providers) {}
