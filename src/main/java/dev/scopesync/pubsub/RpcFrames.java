package dev.scopesync.pubsub;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The text frames of fastapi_websocket_rpc (OPAL-CLIENT.md §2.2, §2.7, §2.8): every message is
 * {@code {"request": {method, arguments, call_id} | null, "response": {result, result_type,
 * call_id} | null}}, written as OPAL server writes it (pydantic's field order, {@code null}s
 * included, Python's separators: {@link PythonJson}).
 *
 * <p>Stateless; thread-safe.
 */
public final class RpcFrames {
  /**
   * websockets' default {@code max_size} on the client: a bigger message makes it close with 1009.
   */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;

  private RpcFrames() {}

  /** Reads one client message; never throws. */
  public static RpcMessage parse(String text) {
    JsonObject envelope;
    try {
      envelope = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      return RpcMessage.invalid("not a JSON object");
    }
    Object request = envelope.getValue("request");
    if (request instanceof JsonObject call) {
      if (!(call.getValue("method") instanceof String method)) {
        return RpcMessage.invalid("request.method: must be a string");
      }
      Object arguments = call.getValue("arguments");
      if (arguments != null && !(arguments instanceof JsonObject)) {
        return RpcMessage.invalid("request.arguments: must be an object");
      }
      Object callId = call.getValue("call_id");
      if (callId != null && !(callId instanceof String)) {
        return RpcMessage.invalid("request.call_id: must be a string");
      }
      return RpcMessage.call(
          method, arguments == null ? new JsonObject() : (JsonObject) arguments, (String) callId);
    }
    if (request == null && envelope.getValue("response") instanceof JsonObject) {
      return RpcMessage.reply();
    }
    return RpcMessage.invalid("neither a request nor a response");
  }

  /**
   * The answer to a call.
   *
   * @param resultType the Python type name of the result, as the RPC library reports it ({@code
   *     "str"}, {@code "bool"})
   */
  public static String response(Object result, String resultType, String callId) {
    StringBuilder out =
        new StringBuilder(96).append("{\"request\": null, \"response\": {\"result\": ");
    PythonJson.write(out, result);
    out.append(", \"result_type\": ");
    PythonJson.write(out, resultType);
    out.append(", \"call_id\": ");
    PythonJson.write(out, callId);
    return out.append("}}").toString();
  }

  /**
   * A {@code notify} call, with the subscription as OPAL's EventNotifier sends it and {@code data}
   * already encoded (it is encoded once per update and shared by every connection's frame).
   */
  public static String notify(
      String subscriptionId, String subscriberId, String topic, String encodedData) {
    StringBuilder out =
        new StringBuilder(encodedData.length() + topic.length() + 256)
            .append(
                "{\"request\": {\"method\": \"notify\", \"arguments\": {\"subscription\": {\"id\": ");
    PythonJson.write(out, subscriptionId);
    out.append(", \"subscriber_id\": ");
    PythonJson.write(out, subscriberId);
    out.append(", \"topic\": ");
    PythonJson.write(out, topic);
    out.append(", \"notifier_id\": null}, \"data\": ")
        .append(encodedData)
        .append("}, \"call_id\": ");
    PythonJson.write(out, newId());
    return out.append("}, \"response\": null}").toString();
  }

  /**
   * The size of the largest {@code notify} frame for data of {@code encodedDataLength} chars on any
   * of {@code topics}: the one naming the longest topic.
   */
  public static int largestNotifySize(Collection<String> topics, int encodedDataLength) {
    // Measured as written: a non-ASCII character takes six characters once escaped.
    String longest =
        topics.stream()
            .max(Comparator.comparingInt((String t) -> PythonJson.encode(t).length()))
            .orElse("");
    String id = "0".repeat(32);
    return notify(id, id, longest, "").length() + encodedDataLength;
  }

  /**
   * A fresh id in the RPC library's form ({@code uuid4().hex}: 32 lowercase hex digits). Not a
   * secret: it only pairs an answer with its call, so a fast non-cryptographic source is enough.
   */
  public static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return hex(random.nextLong()) + hex(random.nextLong());
  }

  private static String hex(long bits) {
    String digits = Long.toHexString(bits);
    return "0".repeat(16 - digits.length()) + digits;
  }
}
