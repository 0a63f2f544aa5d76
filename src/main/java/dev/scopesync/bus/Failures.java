package dev.scopesync.bus;

import dev.scopesync.model.CodedFailure;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Turns failures into event-bus replies whose code is the HTTP status of DESIGN §6 and whose
 * message is the {@code detail} text, and back. The one place that maps an exception to a status.
 */
public final class Failures {
  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int UNPROCESSABLE = 422;
  public static final int INTERNAL = 500;
  public static final int UNAVAILABLE = 503;

  private Failures() {}

  public static ReplyException of(int status, String detail) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, status, detail);
  }

  public static int statusOf(Throwable e) {
    if (e instanceof ReplyException re) {
      return switch (re.failureType()) {
        case RECIPIENT_FAILURE ->
            re.failureCode() >= 400 && re.failureCode() < 600 ? re.failureCode() : INTERNAL;
        case NO_HANDLERS, TIMEOUT -> UNAVAILABLE;
        default -> INTERNAL;
      };
    }
    if (e instanceof CodedFailure coded) {
      return coded.status();
    }
    return INTERNAL;
  }

  public static String detailOf(Throwable e) {
    if (e instanceof ReplyException re && re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return "service not available: " + re.getMessage();
    }
    if (statusOf(e) == INTERNAL && !(e instanceof ReplyException)) {
      return "internal error";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Replies to {@code message} with the failure {@code e} stands for. */
  public static void reply(Message<?> message, Throwable e) {
    message.fail(statusOf(e), detailOf(e));
  }

  /**
   * What {@code work} makes of a request's JSON body: a body that is not a JSON object fails with
   * 400, and work that throws fails with what it threw, so a handler always has a failure to answer
   * and a request never waits out the bus timeout.
   */
  public static <T> Future<T> handled(Message<?> message, Function<JsonObject, Future<T>> work) {
    if (!(message.body() instanceof JsonObject body)) {
      return Future.failedFuture(of(BAD_REQUEST, "request body must be a JSON object"));
    }
    try {
      return work.apply(body);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
