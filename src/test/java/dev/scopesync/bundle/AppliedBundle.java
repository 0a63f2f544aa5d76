package dev.scopesync.bundle;

import dev.scopesync.bundle.PolicyBundle.DataModule;
import dev.scopesync.bundle.PolicyBundle.PolicyModule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a client holds after loading bundles: policy modules by path, data modules by directory.
 * Applying a diff removes its deleted files, then stores its modules — the rule every diff bundle
 * must satisfy is that applying it to the base's full bundle gives the head's full bundle.
 */
record AppliedBundle(Map<String, PolicyModule> policies, Map<String, DataModule> data) {

  static AppliedBundle of(PolicyBundle full) {
    if (full.isDiff()) {
      throw new IllegalArgumentException("start from a full bundle");
    }
    AppliedBundle state = new AppliedBundle(new LinkedHashMap<>(), new LinkedHashMap<>());
    state.store(full);
    return state;
  }

  AppliedBundle apply(PolicyBundle diff) {
    AppliedBundle next =
        new AppliedBundle(new LinkedHashMap<>(policies), new LinkedHashMap<>(data));
    if (diff.deletedFiles() != null) {
      diff.deletedFiles().policyModules().forEach(next.policies::remove);
      diff.deletedFiles().dataModules().forEach(next.data::remove);
    }
    next.store(diff);
    return next;
  }

  private void store(PolicyBundle bundle) {
    bundle.policyModules().forEach(module -> policies.put(module.path(), module));
    bundle.dataModules().forEach(module -> data.put(module.path(), module));
  }
}
