package dev.scopesync.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A real fault: a TCP server on loopback that accepts every connection and never says a word. A git
 * remote behind it hangs until the client's own timeout fires.
 */
public final class SilentServer implements AutoCloseable {
  private final ServerSocket socket;
  private final List<Socket> accepted = new ArrayList<>();
  private final Thread acceptor;

  public SilentServer() throws IOException {
    socket = new ServerSocket();
    socket.bind(new InetSocketAddress("127.0.0.1", 0));
    acceptor = new Thread(this::acceptForever, "silent-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptForever() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        synchronized (accepted) {
          accepted.add(s);
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  public int port() {
    return socket.getLocalPort();
  }

  public String httpUrl(String name) {
    return "http://127.0.0.1:" + port() + "/" + name + ".git";
  }

  public int connections() {
    synchronized (accepted) {
      return accepted.size();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    socket.close();
    acceptor.join(5000);
    synchronized (accepted) {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
