package dev.remoteclaude.gateway.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The stream benchmark's transport baseline: a bare Vert.x WebSocket server, with as many event
 * loops as the gateway, that sends each message to every connected client, each loop writing to its
 * own connections. No authentication, no log, no database: what is left is the cost of the machine,
 * the sockets and the clients.
 */
final class BareBroadcastServer implements AutoCloseable {

  private final Vertx vertx;
  private final List<Loop> loops = new CopyOnWriteArrayList<>();

  /** One server instance: its event loop and the connections it accepted. */
  private final class Loop extends AbstractVerticle {
    final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
    private final int port;

    Loop(int port) {
      this.port = port;
    }

    @Override
    public void start(Promise<Void> started) {
      loops.add(this);
      vertx
          .createHttpServer()
          .webSocketHandler(sockets::add)
          .listen(port, "127.0.0.1")
          .<Void>mapEmpty()
          .onComplete(started);
    }

    Context loop() {
      return context;
    }
  }

  private BareBroadcastServer(int eventLoops) {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
  }

  /** Starts the server on {@code port} with {@code eventLoops} loops (the gateway's count). */
  static BareBroadcastServer start(int port, int eventLoops) throws Exception {
    BareBroadcastServer server = new BareBroadcastServer(eventLoops);
    server
        .vertx
        .deployVerticle(
            () -> server.new Loop(port), new DeploymentOptions().setInstances(eventLoops))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    return server;
  }

  /** Sends {@code message} to every client, one task per event loop. */
  void broadcast(String message) {
    for (Loop loop : loops) {
      loop.loop().runOnContext(v -> loop.sockets.forEach(ws -> ws.writeTextMessage(message)));
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
