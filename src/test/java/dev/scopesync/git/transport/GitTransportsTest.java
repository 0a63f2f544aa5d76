package dev.scopesync.git.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportProtocol;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

/** Registration of the git:// transport with JGit's global protocol list. */
class GitTransportsTest {
  @Test
  void installingTwiceRegistersOnce() {
    GitTransports.install();
    List<TransportProtocol> before = Transport.getTransportProtocols();

    GitTransports.install();

    assertEquals(before, Transport.getTransportProtocols(), "the second install changed nothing");
    assertEquals(1, registrationsOfOurs());
  }

  @Test
  void concurrentInstallsRegisterOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> installs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        installs.add(
            pool.submit(
                () -> {
                  go.await();
                  GitTransports.install();
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> install : installs) {
        install.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertEquals(1, registrationsOfOurs());
  }

  /** JGit holds registered protocols weakly and tries them in list order. */
  @Test
  void afterGarbageCollectionOursIsStillTheFirstProtocolForGitUrls() throws Exception {
    GitTransports.install();
    System.gc();
    URIish uri = new URIish("git://127.0.0.1:9418/x.git");

    TransportProtocol first =
        Transport.getTransportProtocols().stream()
            .filter(p -> p.canHandle(uri))
            .findFirst()
            .orElseThrow();

    assertSame(GitTransports.gitProtocol(), first);
  }

  private static long registrationsOfOurs() {
    return Transport.getTransportProtocols().stream()
        .filter(p -> p instanceof TimeoutGitAnonTransport.Protocol)
        .count();
  }
}
