package dev.scopesync.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryHandlesTest {
  @TempDir Path dir;

  private final Map<Repository, Boolean> closed = new HashMap<>();
  private final AtomicInteger opened = new AtomicInteger();

  /** Opens real repositories and records which were closed. */
  private final RepositoryHandles.Opener recording =
      cloneDir -> {
        opened.incrementAndGet();
        FileRepository repo =
            new FileRepository(cloneDir.resolve(".git").toFile()) {
              @Override
              public void close() {
                super.close();
                closed.put(this, true);
              }
            };
        closed.put(repo, false);
        return repo;
      };

  @BeforeEach
  void makeRepositories() throws Exception {
    for (String name : new String[] {"s1", "s2", "s3"}) {
      Git.init().setDirectory(dir.resolve(name).toFile()).call().close();
    }
  }

  @Test
  void leasingTwiceReusesOneOpenHandle() throws IOException {
    RepositoryHandles handles = new RepositoryHandles(recording, 10);
    Repository first;
    try (RepositoryHandles.Lease lease = handles.lease("s1", dir.resolve("s1"))) {
      first = lease.repository();
    }
    try (RepositoryHandles.Lease lease = handles.lease("s1", dir.resolve("s1"))) {
      assertSame(first, lease.repository());
    }
    assertEquals(1, opened.get());
    assertEquals(1, handles.size());
  }

  @Test
  void beyondTheLimitTheLeastRecentlyUsedIdleHandleIsClosed() throws IOException {
    RepositoryHandles handles = new RepositoryHandles(recording, 2);
    Repository r1;
    try (RepositoryHandles.Lease lease = handles.lease("s1", dir.resolve("s1"))) {
      r1 = lease.repository();
    }
    try (RepositoryHandles.Lease l2 = handles.lease("s2", dir.resolve("s2"));
        RepositoryHandles.Lease l3 = handles.lease("s3", dir.resolve("s3"))) {
      assertEquals(2, handles.size());
      assertTrue(closed.get(r1), "s1 was least recently used and idle");
      assertFalse(handles.isOpen("s1"));
    }
    try (RepositoryHandles.Lease again = handles.lease("s1", dir.resolve("s1"))) {
      assertNotSame(r1, again.repository(), "reopened on demand");
    }
    assertEquals(2, handles.size());
  }

  @Test
  void aLeasedHandleIsNeverClosedUnderItsUser() throws IOException {
    RepositoryHandles handles = new RepositoryHandles(recording, 1);
    try (RepositoryHandles.Lease l1 = handles.lease("s1", dir.resolve("s1"))) {
      try (RepositoryHandles.Lease l2 = handles.lease("s2", dir.resolve("s2"))) {
        assertFalse(closed.get(l1.repository()));
        assertFalse(closed.get(l2.repository()));
        assertEquals(2, handles.size(), "both in use: over the limit until one is returned");
      }
      assertEquals(1, handles.size());
      assertFalse(closed.get(l1.repository()));
    }
  }

  @Test
  void droppingALeasedHandleClosesItWhenTheLeaseEnds() throws IOException {
    RepositoryHandles handles = new RepositoryHandles(recording, 10);
    RepositoryHandles.Lease lease = handles.lease("s1", dir.resolve("s1"));
    handles.drop("s1");
    assertEquals(0, handles.size());
    assertFalse(closed.get(lease.repository()));
    lease.close();
    assertTrue(closed.get(lease.repository()));
  }

  @Test
  void aCloseThatThrowsStillDropsTheEntry() throws IOException {
    RepositoryHandles.Opener faulty =
        cloneDir ->
            new FileRepository(cloneDir.resolve(".git").toFile()) {
              @Override
              public void close() {
                super.close();
                throw new IllegalStateException("close failed on purpose");
              }
            };
    RepositoryHandles handles = new RepositoryHandles(faulty, 10);
    handles.lease("s1", dir.resolve("s1")).close();
    assertEquals(1, handles.size());
    handles.drop("s1");
    assertEquals(0, handles.size());
    assertFalse(handles.isOpen("s1"));
  }
}
