package dev.scopesync.bundle;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/** PLACEHOLDER until the bundle branch merges. */
public final class BundleMaker {
  private final Repository repo;
  private final BundleFilter filter;

  public BundleMaker(Repository repo, BundleFilter filter) {
    this.repo = repo;
    this.filter = filter;
  }

  public SortedSet<String> directoriesOf(ObjectId commit) throws IOException {
    SortedSet<String> dirs = new TreeSet<>();
    for (String path : files(commit).keySet()) {
      addParents(dirs, path);
    }
    return dirs;
  }

  public SortedSet<String> changedDirectories(ObjectId oldCommit, ObjectId newCommit) throws IOException {
    Map<String, ObjectId> a = files(oldCommit);
    Map<String, ObjectId> b = files(newCommit);
    SortedSet<String> dirs = new TreeSet<>();
    for (String p : a.keySet()) {
      if (!a.get(p).equals(b.get(p))) {
        addParents(dirs, p);
      }
    }
    for (String p : b.keySet()) {
      if (!b.get(p).equals(a.get(p))) {
        addParents(dirs, p);
      }
    }
    return dirs;
  }

  private static void addParents(SortedSet<String> dirs, String path) {
    dirs.add(".");
    int slash = path.lastIndexOf('/');
    while (slash > 0) {
      path = path.substring(0, slash);
      dirs.add(path);
      slash = path.lastIndexOf('/');
    }
  }

  private Map<String, ObjectId> files(ObjectId commit) throws IOException {
    Map<String, ObjectId> out = new HashMap<>();
    try (RevWalk walk = new RevWalk(repo); TreeWalk tw = new TreeWalk(repo)) {
      tw.addTree(walk.parseCommit(commit).getTree());
      tw.setRecursive(true);
      while (tw.next()) {
        String p = tw.getPathString();
        String name = tw.getNameString();
        boolean rego = p.endsWith(".rego") && filter.extensions().contains(".rego");
        boolean data = name.equals("data.json") && filter.extensions().contains(".json");
        if (rego || data) {
          out.put(p, tw.getObjectId(0));
        }
      }
    }
    return out;
  }
}
