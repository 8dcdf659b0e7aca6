package dev.streamlens.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server standing in for a team's webhook endpoint: it records every request (its
 * Idempotency-Key header and body) and can be told to answer 500 to the next N requests.
 */
public final class WebhookReceiver implements AutoCloseable {

    public record Received(String idempotencyKey, String body, int status) {}

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 200;
            received.add(new Received(
                    exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                    new String(body, StandardCharsets.UTF_8),
                    status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public void failNext(int requests) {
        failuresLeft.set(requests);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** How many requests carried this idempotency key. */
    public long count(String idempotencyKey) {
        return received.stream()
                .filter(r -> idempotencyKey.equals(r.idempotencyKey()))
                .count();
    }

    /** The requests this receiver accepted (answered 200): what a receiver that drops duplicates by key keeps. */
    public List<Received> accepted() {
        return received.stream().filter(r -> r.status() == 200).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
