package otterbot.assets.internal;

import java.util.Hashtable;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.BundleTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.asset.AssetPack;

/**
 * The extender for asset bundles: while a bundle with the manifest header {@value AssetPack#ASSETS_HEADER} is active,
 * an {@link AssetPack} of the files under the folder it names is registered ({@value AssetPack#NAME} = its symbolic
 * name, ranking 0, below the home directory's pack); it is unregistered when the bundle stops. Asset bundles need no
 * code, so nothing of theirs is loaded: uninstalling one leaves no class loader behind.
 */
@Component(immediate = true, service = {})
public final class AssetBundles extends BundleTracker<ServiceRegistration<AssetPack>> {
  private static final Logger LOG = LoggerFactory.getLogger(AssetBundles.class);
  private final BundleContext context;

  @Activate
  public AssetBundles(BundleContext context) {
    super(context, Bundle.ACTIVE, null);
    this.context = context;
    open();
  }

  @Deactivate
  void deactivate() {
    close(); // unregisters every pack through removedBundle
  }

  @Override
  public ServiceRegistration<AssetPack> addingBundle(Bundle bundle, BundleEvent event) {
    String header = bundle.getHeaders("").get(AssetPack.ASSETS_HEADER);
    if (header == null) {
      return null; // not an asset bundle: not tracked
    }
    Optional<BundleAssetPack> pack;
    try {
      pack = BundleAssetPack.of(bundle, header);
    } catch (RuntimeException e) { // the bundle stopped while we read it
      LOG.warn("Cannot read the assets of bundle {}: {}", bundle.getSymbolicName(), e.toString());
      return null;
    }
    if (pack.isEmpty()) {
      LOG.warn("Bundle {} has the header {}: {} but no files there", bundle.getSymbolicName(),
          AssetPack.ASSETS_HEADER, header);
      return null;
    }
    var properties = new Hashtable<String, Object>();
    properties.put(AssetPack.NAME, pack.get().name());
    properties.put(Constants.SERVICE_RANKING, 0);
    ServiceRegistration<AssetPack> registration = context.registerService(AssetPack.class, pack.get(), properties);
    LOG.info("Bundle {} contributes {} asset files", bundle.getSymbolicName(), pack.get().paths().size());
    return registration;
  }

  @Override
  public void removedBundle(Bundle bundle, BundleEvent event, ServiceRegistration<AssetPack> registration) {
    try {
      registration.unregister();
    } catch (IllegalStateException alreadyGone) {
      // our own context stopped first
    }
    LOG.info("Bundle {} no longer contributes assets", bundle.getSymbolicName());
  }
}
