package otterbot.core.internal.chat;

import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

import otterbot.api.agent.AgentRegistry;
import otterbot.api.chat.ConversationListener;
import otterbot.api.chat.PromptContributor;
import otterbot.api.credentials.CredentialService;
import otterbot.api.settings.SettingsService;
import otterbot.core.internal.PluginCalls;
import otterbot.core.internal.providers.ModelServiceImpl;

/** What a turn needs from the rest of the server. */
record TurnContext(
    AgentRegistry agents,
    ModelServiceImpl models,
    CredentialService credentials,
    CachedConversations conversations,
    SettingsService settings,
    StatusBoard board,
    Supplier<List<ToolSet.Entry>> tools,
    Clock clock,
    ChatLimits limits,
    PluginCalls plugins,
    Supplier<List<ConversationListener>> conversationListeners,
    Supplier<List<PromptContributor>> promptContributors) {}
