package dev.scopesync.bundle;

import java.io.IOException;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The repositories of OPAL's own bundle maker tests ({@code git_utils/tests/conftest.py}), built
 * commit by commit the same way:
 *
 * <pre>
 * .
 * ├── ignored.json
 * ├── mylist.txt
 * ├── other
 * │   ├── abac.rego      package app.abac
 * │   ├── data.json
 * │   └── some.json      (a json file that is not a data module)
 * ├── rbac.rego          package app.rbac
 * └── some/dir/to/file.rego   package envoy.http.public
 * </pre>
 */
final class OpalFixture {

  static final String JSON = "{\"roles\": [\"admin\"]}";

  private OpalFixture() {}

  static String rego(String packageName) {
    return "\n# Role-based Access Control (RBAC)\n# --------------------------------\npackage "
        + packageName
        + "\n\n# By default, deny requests.\ndefault allow = false\n";
  }

  /** OPAL's {@code local_repo}; returns its head. */
  static ObjectId localRepo(TestRepository repo) throws IOException, GitAPIException {
    repo.commitFile("deleted.rego", "bla bla\n");
    repo.commitFile("mylist.txt", "bla bla\n");
    repo.commitFile("rbac.rego", rego("app.rbac"));
    repo.commitFile("ignored.json", JSON);
    repo.commitFile("other/abac.rego", rego("app.abac"));
    repo.commitFile("other/data.json", JSON);
    repo.commitFile("other/some.json", JSON);
    repo.commitFile("some/dir/to/file.rego", rego("envoy.http.public"));
    repo.append("mylist.txt", "more\ncontent\n").commit("change file");
    return repo.delete("deleted.rego").commit("delete file");
  }

  /**
   * OPAL's {@code repo_with_diffs}, on top of {@link #localRepo}: adds {@code other/gbac.rego},
   * modifies {@code mylist.txt}, deletes {@code other/data.json}, renames {@code ignored.json}.
   * Returns the new head.
   */
  static ObjectId repoWithDiffs(TestRepository repo) throws IOException, GitAPIException {
    repo.commitFile("other/gbac.rego", rego("app.gbac"));
    repo.append("mylist.txt", "more\ncontent\n").commit("change file");
    repo.delete("other/data.json").commit("delete file");
    return repo.rename("ignored.json", "ignored2.json").commit("rename file");
  }
}
