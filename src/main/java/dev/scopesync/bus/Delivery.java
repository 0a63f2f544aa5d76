package dev.scopesync.bus;

import io.vertx.core.eventbus.DeliveryOptions;

/** How requests to node-local addresses are sent: to this node only, never to a peer. */
public final class Delivery {
  private Delivery() {}

  /** To this node's consumer (its fetcher, its clones), with the default timeout. */
  public static DeliveryOptions local() {
    return new DeliveryOptions().setLocalOnly(true);
  }

  /** To this node's consumer, waiting as long as the work takes (boot sync, sweep, poll tick). */
  public static DeliveryOptions localUntilDone() {
    return local().setSendTimeout(Long.MAX_VALUE / 2);
  }
}
