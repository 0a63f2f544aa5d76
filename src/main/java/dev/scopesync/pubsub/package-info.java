/**
 * OPAL clients' pub/sub over {@code /ws} (DESIGN §12, OPAL-CLIENT.md): the JSON-RPC frames of
 * fastapi_websocket_rpc ({@link dev.scopesync.pubsub.RpcFrames}), the topic names and who may use
 * them ({@link dev.scopesync.pubsub.Topics}, {@link dev.scopesync.pubsub.TopicAccess}), the node's
 * connections and their subscriptions ({@link dev.scopesync.pubsub.SubscriberRegistry}), the
 * fan-out of policy and data updates ({@link dev.scopesync.pubsub.Notifier}) and the endpoint that
 * accepts, serves and closes connections ({@link dev.scopesync.pubsub.PubSubEndpoint}).
 *
 * <p>Everything here runs on the HTTP verticle's event loop: no class holds a lock.
 */
package dev.scopesync.pubsub;
