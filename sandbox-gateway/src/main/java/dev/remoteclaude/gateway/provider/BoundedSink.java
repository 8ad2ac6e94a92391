package dev.remoteclaude.gateway.provider;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * Where a response body that the sandbox controls is piped: it takes at most {@code maxBytes} and
 * fails the write past that with {@link ProviderException.Kind#INVALID}, so a file that grows after
 * its size was asked, or a replaced daemon in the sandbox sending without end, never makes the
 * gateway buffer or store more than the limit. It collects in memory, or passes on to another
 * stream (a file).
 */
public final class BoundedSink implements WriteStream<Buffer> {

  private final WriteStream<Buffer> target;
  private final Buffer collected;
  private final long maxBytes;
  private final String tooLarge;
  private long written;

  private BoundedSink(WriteStream<Buffer> target, long maxBytes, String tooLarge) {
    this.target = target;
    this.collected = target == null ? Buffer.buffer() : null;
    this.maxBytes = maxBytes;
    this.tooLarge = tooLarge;
  }

  /** Collects at most {@code maxBytes} in memory ({@link #bytes()}). */
  public static BoundedSink inMemory(long maxBytes, String tooLarge) {
    return new BoundedSink(null, maxBytes, tooLarge);
  }

  /** Passes at most {@code maxBytes} on to {@code target}. */
  public static BoundedSink into(WriteStream<Buffer> target, long maxBytes, String tooLarge) {
    return new BoundedSink(target, maxBytes, tooLarge);
  }

  /** What was collected in memory. */
  public byte[] bytes() {
    return collected == null ? new byte[0] : collected.getBytes();
  }

  @Override
  public Future<Void> write(Buffer data) {
    written += data.length();
    if (written > maxBytes) {
      return Future.failedFuture(new ProviderException(ProviderException.Kind.INVALID, tooLarge));
    }
    if (target == null) {
      collected.appendBuffer(data);
      return Future.succeededFuture();
    }
    return target.write(data);
  }

  @Override
  public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
    Future<Void> done = write(data);
    if (handler != null) {
      done.onComplete(handler);
    }
  }

  @Override
  public Future<Void> end() {
    return target == null ? Future.succeededFuture() : target.end();
  }

  @Override
  public void end(Handler<AsyncResult<Void>> handler) {
    Future<Void> done = end();
    if (handler != null) {
      done.onComplete(handler);
    }
  }

  @Override
  public BoundedSink exceptionHandler(Handler<Throwable> handler) {
    if (target != null) {
      target.exceptionHandler(handler);
    }
    return this;
  }

  @Override
  public BoundedSink setWriteQueueMaxSize(int maxSize) {
    if (target != null) {
      target.setWriteQueueMaxSize(maxSize);
    }
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return target != null && target.writeQueueFull();
  }

  @Override
  public BoundedSink drainHandler(Handler<Void> handler) {
    if (target != null) {
      target.drainHandler(handler);
    }
    return this;
  }
}
