package otterbot.agentpack.example.internal;

import java.util.List;

import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;

/** The profiles this pack contributes. Missing fields (models, allowed models, ...) get the server's defaults. */
final class PackAgents {
  static final String RESEARCHER = "pack-researcher";
  static final String WRITER = "pack-writer";

  private PackAgents() {}

  static AgentProfile researcher() {
    return new AgentProfile(RESEARCHER, "Pack Researcher", AgentProfile.ROLE_AGENT,
        "You research questions thoroughly and answer with sources and a short summary.",
        null, List.of(), List.of("web"), "local", null, new Artwork("prototype-pete"), true, 3, null, null);
  }

  static AgentProfile writer() {
    ModelRef model = new ModelRef("lmstudio", "local-model");
    return new AgentProfile(WRITER, "Pack Writer", AgentProfile.ROLE_AGENT,
        "You turn notes into clear, friendly prose.",
        new AgentModels(model, model), List.of(), List.of("web"), "local", null, null, false, 0, null, null);
  }
}
