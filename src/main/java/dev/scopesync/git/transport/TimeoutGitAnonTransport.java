package dev.scopesync.git.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.BasePackFetchConnection;
import org.eclipse.jgit.transport.BasePackPushConnection;
import org.eclipse.jgit.transport.Daemon;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.GitProtocolConstants;
import org.eclipse.jgit.transport.PackTransport;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.PushConnection;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TcpTransport;
import org.eclipse.jgit.transport.TransferConfig.ProtocolVersion;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportProtocol;
import org.eclipse.jgit.transport.URIish;

/**
 * JGit's anonymous {@code git://} transport, except that its socket has {@code SO_TIMEOUT} set to
 * the operation's timeout ({@link Transport#getTimeout()}, seconds; 0 = none).
 *
 * <p>Why: JGit's own {@code TransportGitAnon} leaves the socket without a read timeout and relies
 * on {@code InterruptTimer} interrupting the reading thread, which does not wake a socket read on a
 * platform thread, so a daemon that accepts and never answers hangs the clone forever. With {@code
 * SO_TIMEOUT} the read fails with a {@link java.net.SocketTimeoutException} (wrapped by JGit in a
 * {@link TransportException}).
 *
 * <p>{@code TransportGitAnon} is package-private in JGit (class, constructors and its {@code
 * openConnection}), so it cannot be subclassed from here. This class is the smallest faithful copy
 * of its connection setup, built on JGit's public extension points ({@link TcpTransport}, {@link
 * BasePackFetchConnection}, {@link BasePackPushConnection}), which keep the whole protocol (v0 and
 * v2 negotiation, ls-refs, pack transfer) in JGit. Copied: the connect (connect timeout = the
 * operation timeout, default port 9418, JGit's error messages), the request line ({@code
 * git-upload-pack}/{@code git-receive-pack}, {@code host=}, {@code version=2} for fetches unless
 * {@code protocol.version} says 0 or 1). The behavioural differences are the read timeout and the
 * {@link ConnectGate}: at most four connections to one server wait for its first answer at once, so
 * a burst of clones never overflows git daemon's accept queue.
 */
final class TimeoutGitAnonTransport extends TcpTransport implements PackTransport {
  private static final int GIT_PORT = Daemon.DEFAULT_PORT;

  /** Handles {@code git://host[:port]/path}, like JGit's built-in git protocol. */
  static final class Protocol extends TransportProtocol {
    @Override
    public String getName() {
      return JGitText.get().transportProtoGitAnon;
    }

    @Override
    public Set<String> getSchemes() {
      return Collections.singleton("git");
    }

    @Override
    public Set<URIishField> getRequiredFields() {
      return Collections.unmodifiableSet(EnumSet.of(URIishField.HOST, URIishField.PATH));
    }

    @Override
    public Set<URIishField> getOptionalFields() {
      return Collections.unmodifiableSet(EnumSet.of(URIishField.PORT));
    }

    @Override
    public int getDefaultPort() {
      return GIT_PORT;
    }

    @Override
    public Transport open(URIish uri, Repository local, String remoteName) {
      return new TimeoutGitAnonTransport(local, uri);
    }

    @Override
    public Transport open(URIish uri) {
      return new TimeoutGitAnonTransport(uri);
    }
  }

  /** Connections being opened, per server, for every transport of the process. */
  private static final ConnectGate OPENING = new ConnectGate(ConnectGate.PER_ENDPOINT);

  /** The protocol version a fetch asks for; JGit reads it from the config at the same moment. */
  private final ProtocolVersion fetchProtocol;

  private TimeoutGitAnonTransport(Repository local, URIish uri) {
    super(local, uri);
    this.fetchProtocol = fetchProtocolOf(local);
  }

  private TimeoutGitAnonTransport(URIish uri) {
    super(uri);
    this.fetchProtocol = ProtocolVersion.V2;
  }

  /**
   * JGit's rule for git://: protocol v2 unless {@code protocol.version} is "0" or "1" ({@code
   * TransferConfig.ProtocolVersion.parse}, then null means v2). Read here because JGit keeps the
   * parsed value in package-private fields.
   */
  private static ProtocolVersion fetchProtocolOf(Repository local) {
    String configured =
        local
            .getConfig()
            .getString(
                ConfigConstants.CONFIG_PROTOCOL_SECTION, null, ConfigConstants.CONFIG_KEY_VERSION);
    boolean v0 = ProtocolVersion.V0.version().equals(configured) || "1".equals(configured);
    return v0 ? ProtocolVersion.V0 : ProtocolVersion.V2;
  }

  @Override
  public FetchConnection openFetch() throws TransportException {
    return new TcpFetchConnection(List.of());
  }

  @Override
  public FetchConnection openFetch(Collection<RefSpec> refSpecs, String... additionalPatterns)
      throws TransportException {
    return new TcpFetchConnection(refSpecs, additionalPatterns);
  }

  @Override
  public PushConnection openPush() throws TransportException {
    return new TcpPushConnection();
  }

  /**
   * Sockets of connections not yet closed, so that {@link #close()} can end them from another
   * thread.
   */
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  /** Set by {@link #close()}: a connection still to be opened is not. */
  private volatile boolean closed;

  /**
   * Closes every socket this transport still has open. A watchdog calls it at the operation's
   * deadline: a read blocked on a remote that trickles bytes then fails at once.
   */
  @Override
  public void close() {
    closed = true;
    for (Socket socket : open) {
      closeQuietly(socket);
    }
    open.clear();
  }

  /**
   * Waits, at most the operation timeout, until fewer than {@value ConnectGate#PER_ENDPOINT}
   * connections to this server are being opened ({@link ConnectGate}).
   */
  private ConnectGate.Permit enterGate() throws TransportException {
    String endpoint = uri.getHost() + ":" + port();
    try {
      ConnectGate.Permit permit =
          OPENING.enter(endpoint, getTimeout() > 0 ? getTimeout() * 1000L : 0, () -> closed);
      if (permit == null) {
        throw new TransportException(
            uri,
            closed
                ? "closed while waiting to connect"
                : "no connection within "
                    + getTimeout()
                    + " s: "
                    + ConnectGate.PER_ENDPOINT
                    + " other connections to "
                    + endpoint
                    + " were still waiting for the server's answer");
      }
      return permit;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(uri, "interrupted while waiting to connect", e);
    }
  }

  private int port() {
    return uri.getPort() > 0 ? uri.getPort() : GIT_PORT;
  }

  /** Connects with the operation timeout as both connect timeout and read timeout. */
  private Socket connect() throws TransportException {
    int timeoutMillis = getTimeout() > 0 ? getTimeout() * 1000 : 0;
    int port = port();
    Socket socket = new Socket();
    try {
      // The fix: a silent peer now fails the read instead of blocking it forever.
      socket.setSoTimeout(timeoutMillis);
      socket.connect(
          new InetSocketAddress(InetAddress.getByName(uri.getHost()), port), timeoutMillis);
      open.add(socket);
    } catch (IOException e) {
      closeQuietly(socket);
      if (e instanceof UnknownHostException) {
        throw new TransportException(uri, JGitText.get().unknownHost);
      }
      if (e instanceof ConnectException) {
        throw new TransportException(uri, e.getMessage());
      }
      throw new TransportException(uri, e.getMessage(), e);
    }
    if (closed) {
      // close() ran while this socket was connecting, so it did not see it.
      closeQuietly(socket);
      throw new TransportException(uri, "closed while connecting");
    }
    return socket;
  }

  /**
   * Writes git daemon's request line: {@code <service>
   * <path>\0host=<host>[:<port>]\0[\0version=2\0]}.
   */
  private void requestService(String service, PacketLineOut out, ProtocolVersion version)
      throws IOException {
    StringBuilder line =
        new StringBuilder()
            .append(service)
            .append(' ')
            .append(uri.getPath())
            .append('\0')
            .append("host=")
            .append(uri.getHost());
    if (uri.getPort() > 0 && uri.getPort() != GIT_PORT) {
      line.append(':').append(uri.getPort());
    }
    line.append('\0');
    if (version == ProtocolVersion.V2) {
      line.append('\0').append(GitProtocolConstants.VERSION_2_REQUEST).append('\0');
    }
    out.writeString(line.toString());
    out.flush();
  }

  private void closeQuietly(Socket socket) {
    open.remove(socket);
    try {
      socket.close();
    } catch (IOException ignored) {
      // Already failing or closing; nothing left to do with this socket.
    }
  }

  private final class TcpFetchConnection extends BasePackFetchConnection {
    private Socket socket;

    TcpFetchConnection(Collection<RefSpec> refSpecs, String... additionalPatterns)
        throws TransportException {
      super(TimeoutGitAnonTransport.this);
      boolean advertised;
      try (ConnectGate.Permit opening = enterGate()) {
        socket = connect();
        try {
          init(
              new BufferedInputStream(socket.getInputStream()),
              new BufferedOutputStream(socket.getOutputStream()));
          requestService("git-upload-pack", pckOut, fetchProtocol);
        } catch (IOException e) {
          close();
          throw new TransportException(uri, JGitText.get().remoteHungUpUnexpectedly, e);
        }
        // On failure these close the connection (our close() included, so the socket too). The
        // server's first answer means the daemon has accepted this connection: the gate opens.
        advertised = readAdvertisedRefs();
      }
      if (!advertised) {
        lsRefs(refSpecs, additionalPatterns);
      }
    }

    @Override
    public void close() {
      super.close();
      if (socket != null) {
        closeQuietly(socket);
        socket = null;
      }
    }
  }

  private final class TcpPushConnection extends BasePackPushConnection {
    private Socket socket;

    TcpPushConnection() throws TransportException {
      super(TimeoutGitAnonTransport.this);
      try (ConnectGate.Permit opening = enterGate()) {
        socket = connect();
        try {
          init(
              new BufferedInputStream(socket.getInputStream()),
              new BufferedOutputStream(socket.getOutputStream()));
          // As in JGit: push over git:// always speaks protocol v0.
          requestService("git-receive-pack", pckOut, null);
        } catch (IOException e) {
          close();
          throw new TransportException(uri, JGitText.get().remoteHungUpUnexpectedly, e);
        }
        readAdvertisedRefs();
      }
    }

    @Override
    public void close() {
      super.close();
      if (socket != null) {
        closeQuietly(socket);
        socket = null;
      }
    }
  }
}
