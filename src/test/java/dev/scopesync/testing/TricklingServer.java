package dev.scopesync.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real fault a read timeout cannot catch: a git daemon look-alike on loopback that starts a
 * pkt-line of 255 bytes and then sends one byte every 300 ms, for ever. Every read returns in time,
 * so only a deadline on the whole operation ends a fetch from it.
 */
public final class TricklingServer implements AutoCloseable {
  private final ServerSocket socket;
  private final Thread acceptor;
  private final AtomicInteger dropped = new AtomicInteger();

  public TricklingServer() throws IOException {
    socket = new ServerSocket();
    socket.bind(new InetSocketAddress("127.0.0.1", 0));
    acceptor = new Thread(this::serve, "trickling-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Thread trickle = new Thread(() -> trickle(client), "trickle");
        trickle.setDaemon(true);
        trickle.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void trickle(Socket client) {
    try (client;
        OutputStream out = client.getOutputStream()) {
      out.write("00ff".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      while (!socket.isClosed()) {
        Thread.sleep(300);
        out.write('x');
        out.flush();
      }
    } catch (IOException e) {
      dropped.incrementAndGet(); // the client hung up on us
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public String gitUrl(String name) {
    return "git://127.0.0.1:" + socket.getLocalPort() + "/" + name + ".git";
  }

  /** Connections the client closed while we were still trickling. */
  public int droppedByClient() {
    return dropped.get();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    socket.close();
    acceptor.join(5000);
  }
}
