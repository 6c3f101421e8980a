package otterbot.assets.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The home directory's asset pack, in {@code <home>/etc/otterbot.assets.cfg}; every attribute has a default. */
@ObjectClassDefinition(
    id = AssetsConfiguration.PID,
    name = "OtterBot assets",
    description = "Where users put their own asset files, which win over the asset bundles' files.")
public @interface AssetsConfiguration {
  String PID = "otterbot.assets";

  @AttributeDefinition(name = "Assets directory",
      description = "Scanned live for workers/, environments/ and scenes/ in upstream's layout; relative to the home"
          + " directory (or absolute).")
  String directory() default "assets";
}
