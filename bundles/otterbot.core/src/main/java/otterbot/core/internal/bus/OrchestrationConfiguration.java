package otterbot.core.internal.bus;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** How agents work together. In {@code <home>/etc/otterbot.orchestration.cfg}; every attribute has a default. */
@ObjectClassDefinition(name = "OtterBot orchestration",
    description = "Delegation between agents over the message bus.")
@interface OrchestrationConfiguration {
  @AttributeDefinition(name = "Delegate timeout (s)",
      description = "How long a delegating agent waits for the other agent's answer.", min = "1")
  int delegateTimeoutSeconds() default 120;

  @AttributeDefinition(name = "Agents allowed to delegate",
      description = "Ids of agents other than the COO that may use the delegate and broadcast tools.")
  String[] delegators() default {};
}
