package dev.scopesync.testing;

import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A bridge client: no Vert.x, just a socket and the frame format. */
public final class BridgeClient implements AutoCloseable {
  private final Socket socket = new Socket();
  private final DataOutputStream out;
  private final DataInputStream in;

  public BridgeClient(int port) throws IOException {
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(30_000);
    out = new DataOutputStream(socket.getOutputStream());
    in = new DataInputStream(socket.getInputStream());
  }

  public void send(JsonObject frame) throws IOException {
    byte[] bytes = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
    out.flush();
  }

  public JsonObject receive() throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new JsonObject(new String(bytes, StandardCharsets.UTF_8));
  }

  /** The next frame whose address is {@code address} (pings and others are skipped). */
  public JsonObject receiveFor(String address) throws IOException {
    while (true) {
      JsonObject frame = receive();
      if (address.equals(frame.getString("address")) || "err".equals(frame.getString("type"))) {
        return frame;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
