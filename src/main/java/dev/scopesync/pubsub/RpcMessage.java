package dev.scopesync.pubsub;

import io.vertx.core.json.JsonObject;

/**
 * One message a client sent, as fastapi_websocket_rpc's {@code RpcMessage} envelope reads it: a
 * call ({@code request}), an answer to one of our calls ({@code response}), or something that is
 * neither, with the reason.
 *
 * @param kind what the message is
 * @param method the called method; null unless a call
 * @param arguments the call's keyword arguments ({@code {}} when the client sent none); null unless
 *     a call
 * @param callId the call's id, echoed in the answer; may be null
 * @param problem why the message is {@link Kind#INVALID}; else null
 */
public record RpcMessage(
    Kind kind, String method, JsonObject arguments, String callId, String problem) {
  public enum Kind {
    CALL,
    REPLY,
    INVALID
  }

  static RpcMessage call(String method, JsonObject arguments, String callId) {
    return new RpcMessage(Kind.CALL, method, arguments, callId, null);
  }

  static RpcMessage reply() {
    return new RpcMessage(Kind.REPLY, null, null, null, null);
  }

  static RpcMessage invalid(String problem) {
    return new RpcMessage(Kind.INVALID, null, null, null, problem);
  }
}
