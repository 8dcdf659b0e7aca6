package dev.streamlens.e2e;

import dev.streamlens.job.it.Workload;
import dev.streamlens.model.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application's telemetry client: posts each delivery to ingest-service when its time comes, one
 * call at a time, and remembers which events got a 2xx — the only ones the pipeline owes us.
 * Holding {@link #between} keeps every call out of flight, so the test can kill the stack between two
 * calls and know each event's fate (an answer lost in flight would leave it unknowable).
 */
final class PacedSender {

    /** Held by the sender during each call; whoever holds it knows no call is in flight. */
    final Object between = new Object();

    private final String ingestUrl;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    private final Set<String> acknowledgedRequests = ConcurrentHashMap.newKeySet();
    private final Set<String> acknowledgedResponses = ConcurrentHashMap.newKeySet();
    private final List<String> refusals = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger unreachable = new AtomicInteger();
    private final AtomicInteger acknowledged = new AtomicInteger();

    PacedSender(String ingestUrl) {
        this.ingestUrl = ingestUrl;
    }

    /** Posts every delivery at its {@code deliverAt} wall-clock time (or at once when behind). */
    void play(List<Workload.Delivery> deliveries) throws InterruptedException {
        List<Workload.Delivery> inOrder = new ArrayList<>(deliveries);
        inOrder.sort(Comparator.comparingLong(Workload.Delivery::deliverAt));
        for (Workload.Delivery delivery : inOrder) {
            long wait = delivery.deliverAt() - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            synchronized (between) {
                send(delivery);
            }
        }
    }

    private void send(Workload.Delivery delivery) throws InterruptedException {
        boolean request = delivery.topic().equals(Topics.REQUESTS);
        URI uri = URI.create(ingestUrl + (request ? "/v1/llm/request" : "/v1/llm/response"));
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(delivery.value()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 202) {
                (request ? acknowledgedRequests : acknowledgedResponses).add(delivery.key());
                acknowledged.incrementAndGet();
            } else {
                refusals.add(answer.statusCode() + " " + answer.body());
            }
        } catch (IOException e) {
            unreachable.incrementAndGet(); // connection refused: the service is down, nothing was stored
        }
    }

    /** The requests and responses of {@code sent} that got a 2xx at least once. */
    Workload acknowledgedPart(List<Workload.Request> requests, List<Workload.Response> responses) {
        return Workload.of(
                requests.stream()
                        .filter(r -> acknowledgedRequests.contains(r.id()))
                        .toList(),
                responses.stream()
                        .filter(r -> acknowledgedResponses.contains(r.id()))
                        .toList());
    }

    int acknowledged() {
        return acknowledged.get();
    }

    int unreachable() {
        return unreachable.get();
    }

    List<String> refusals() {
        return List.copyOf(refusals);
    }
}
