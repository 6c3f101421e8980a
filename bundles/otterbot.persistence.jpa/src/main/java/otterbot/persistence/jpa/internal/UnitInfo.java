package otterbot.persistence.jpa.internal;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.sql.DataSource;

import jakarta.persistence.SharedCacheMode;
import jakarta.persistence.ValidationMode;
import jakarta.persistence.spi.ClassTransformer;
import jakarta.persistence.spi.PersistenceUnitInfo;
import jakarta.persistence.spi.PersistenceUnitTransactionType;

import org.eclipse.persistence.jpa.PersistenceProvider;

/**
 * The persistence unit, described in code instead of a persistence.xml: EclipseLink's own persistence.xml discovery
 * searches the thread context class loader, which means nothing in OSGi.
 */
final class UnitInfo implements PersistenceUnitInfo {
  static final String NAME = "otterbot";

  private final ClassLoader loader;
  private final URL root;
  // EclipseLink may add to these lists, so they are mutable and per instance.
  private final List<String> managedClasses =
      new ArrayList<>(List.of(AgentEntity.class.getName(), SettingEntity.class.getName(),
          ConversationEntity.class.getName(), MessageEntity.class.getName(), SecretEntity.class.getName(),
          BusMessageEntity.class.getName(), ScheduledTaskEntity.class.getName(), SubagentTaskEntity.class.getName(),
          MemoryEntity.class.getName(), UserProfileEntity.class.getName(), ConversationLearningEntity.class.getName(),
          SkillEntity.class.getName()));
  private final List<String> mappingFiles = new ArrayList<>();
  private final List<URL> jarFiles = new ArrayList<>();

  /**
   * @param loader this bundle's class loader: it sees the entities and, through the bundle's imports, the JDBC drivers
   * @param root the bundle's root entry; EclipseLink needs it to name the unit, it does not scan it
   */
  UnitInfo(ClassLoader loader, URL root) {
    this.loader = loader;
    this.root = root;
  }

  @Override
  public String getPersistenceUnitName() {
    return NAME;
  }

  @Override
  public String getPersistenceProviderClassName() {
    return PersistenceProvider.class.getName();
  }

  @Override
  public PersistenceUnitTransactionType getTransactionType() {
    return PersistenceUnitTransactionType.RESOURCE_LOCAL;
  }

  @Override
  public DataSource getJtaDataSource() {
    return null;
  }

  @Override
  public DataSource getNonJtaDataSource() {
    return null;
  }

  @Override
  public List<String> getMappingFileNames() {
    return mappingFiles;
  }

  @Override
  public List<URL> getJarFileUrls() {
    return jarFiles;
  }

  @Override
  public URL getPersistenceUnitRootUrl() {
    return root;
  }

  @Override
  public List<String> getManagedClassNames() {
    return managedClasses;
  }

  @Override
  public boolean excludeUnlistedClasses() {
    return true;
  }

  /** No shared (second-level) cache: another process may write the same tables, so every read goes to the database. */
  @Override
  public SharedCacheMode getSharedCacheMode() {
    return SharedCacheMode.NONE;
  }

  /** No Bean Validation provider is deployed; without this EclipseLink goes looking for one. */
  @Override
  public ValidationMode getValidationMode() {
    return ValidationMode.NONE;
  }

  @Override
  public Properties getProperties() {
    return new Properties();
  }

  @Override
  public String getPersistenceXMLSchemaVersion() {
    return "3.0";
  }

  @Override
  public ClassLoader getClassLoader() {
    return loader;
  }

  /** Weaving is off (dynamic weaving cannot work in OSGi without a weaving hook), so there is nothing to register. */
  @Override
  public void addTransformer(ClassTransformer transformer) {
    // ignored on purpose
  }

  @Override
  public ClassLoader getNewTempClassLoader() {
    return loader;
  }
}
