package dev.scopesync.git.transport;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A real fault on loopback: a TCP server that accepts git:// connections, reads the client's
 * request line (one pkt-line) and then either never says a word or hangs up. It records each
 * request line and notices when a client closes its end, so tests can check what was asked and that
 * nothing was left open.
 */
public final class MuteGitDaemon implements AutoCloseable {
  public enum After {
    /** Keep the connection open and silent until the client gives up. */
    STAY_SILENT,
    /** Close the connection right after the request line. */
    HANG_UP
  }

  private final ServerSocket server;
  private final After after;
  private final Thread acceptor;
  private final List<Socket> accepted = new ArrayList<>();
  private final List<Thread> readers = new ArrayList<>();
  private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
  private final Semaphore closedByClient = new Semaphore(0);

  private MuteGitDaemon(After after) throws IOException {
    this.after = after;
    server = new ServerSocket();
    server.bind(new InetSocketAddress("127.0.0.1", 0));
    acceptor = new Thread(this::acceptUntilClosed, "mute-git-daemon");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static MuteGitDaemon start(After after) throws IOException {
    return new MuteGitDaemon(after);
  }

  public String url(String name) {
    return "git://127.0.0.1:" + port() + "/" + name + ".git";
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The next request line received (pkt-line payload, NULs included); fails after the deadline. */
  public String nextRequest(Duration deadline) throws InterruptedException {
    String request = requests.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
    if (request == null) {
      throw new AssertionError("no git:// request line arrived within " + deadline);
    }
    return request;
  }

  /**
   * The request lines received so far, oldest first. Complete once a client has seen the hang-up of
   * {@link After#HANG_UP}: a line is recorded before its connection is closed.
   */
  public List<String> takeRequests() {
    List<String> taken = new ArrayList<>();
    requests.drainTo(taken);
    return taken;
  }

  /** Waits until clients have closed {@code count} silent connections; fails after the deadline. */
  public void awaitClosedByClient(int count, Duration deadline) throws InterruptedException {
    if (!closedByClient.tryAcquire(count, deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "clients closed "
              + closedByClient.availablePermits()
              + " of "
              + count
              + " connections within "
              + deadline);
    }
  }

  private void acceptUntilClosed() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread reader = new Thread(() -> serve(socket), "mute-git-daemon-conn");
        reader.setDaemon(true);
        synchronized (accepted) {
          accepted.add(socket);
          readers.add(reader);
        }
        reader.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      requests.add(readPktLine(in));
      if (after == After.HANG_UP) {
        socket.close();
        return;
      }
      while (in.read() != -1) {
        // Swallow whatever the client still sends (e.g. a flush-pkt on close); never answer.
      }
      closedByClient.release();
    } catch (IOException e) {
      // Closed by close() below, or the client reset the connection: either way, done.
    }
  }

  private static String readPktLine(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] header = new byte[4];
    data.readFully(header);
    int length = Integer.parseInt(new String(header, StandardCharsets.US_ASCII), 16);
    if (length == 0) {
      return "";
    }
    byte[] payload = new byte[length - 4];
    data.readFully(payload);
    return new String(payload, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    acceptor.join(5000);
    List<Thread> toJoin;
    synchronized (accepted) {
      for (Socket socket : accepted) {
        socket.close();
      }
      toJoin = new ArrayList<>(readers);
    }
    for (Thread reader : toJoin) {
      reader.join(5000);
    }
  }
}
