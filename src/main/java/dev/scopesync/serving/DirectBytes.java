package dev.scopesync.serving;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/**
 * A built bundle's bytes in direct, read-only memory (DESIGN §18). Direct: Netty copies a heap
 * buffer into a direct one on every socket write, which for a 50 KB bundle was most of a cached
 * answer's cost. Read-only: Vert.x's local event bus delivers a read-only buffer as it is, where it
 * copies any other (the fetcher's replies carry bundles). The memory is the JDK's ({@link
 * ByteBuffer#allocateDirect}): freed by the garbage collector once no cache entry, served answer or
 * write in flight holds it, never by a release count that could be missed.
 */
public final class DirectBytes {
  private DirectBytes() {}

  public static Buffer of(byte[] bytes) {
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
    direct.put(bytes).flip();
    return BufferInternal.buffer(Unpooled.wrappedBuffer(direct.asReadOnlyBuffer()));
  }
}
